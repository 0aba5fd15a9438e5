package dev.jetway.sim.fault;

import dev.jetway.sim.openai.ApiError;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Decides whether a generation request fails on purpose: always when it carries {@code X-Return-Error: <status>},
 * otherwise with probability {@code --failure-rate} percent, picking uniformly among {@code --failure-types}.
 * Seeded, so a run with the same seed and request order fails the same requests.
 */
public final class FaultInjector {

    public static final String RETURN_ERROR_HEADER = "X-Return-Error";

    private final double ratePercent;
    private final List<FailureType> types;
    private final SplittableRandom random;

    public FaultInjector(double ratePercent, List<FailureType> types, long seed) {
        this.ratePercent = types.isEmpty() ? 0 : ratePercent;
        this.types = List.copyOf(types);
        this.random = new SplittableRandom(seed);
    }

    /** The error to answer instead of generating, or null to serve the request. */
    public ApiError injectedFailure(String returnErrorHeader, String model) {
        if (returnErrorHeader != null) {
            return forHeader(returnErrorHeader.trim(), model);
        }
        if (ratePercent <= 0) {
            return null;
        }
        FailureType chosen;
        synchronized (random) {
            if (random.nextDouble() * 100 >= ratePercent) {
                return null;
            }
            chosen = types.get(random.nextInt(types.size()));
        }
        return chosen.toError(model);
    }

    private static ApiError forHeader(String value, String model) {
        int status;
        try {
            status = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return ApiError.badRequest(RETURN_ERROR_HEADER + " must be an HTTP status code, got '" + value + "'",
                    null);
        }
        if (status < 400 || status > 599) {
            return ApiError.badRequest(RETURN_ERROR_HEADER + " must be an error status (400-599), got " + status,
                    null);
        }
        FailureType type = FailureType.forStatus(status);
        return type != null ? type.toError(model)
                : new ApiError(status, status >= 500 ? "InternalServerError" : "BadRequestError",
                "Injected error with status " + status + " (" + RETURN_ERROR_HEADER + ")", null);
    }
}
