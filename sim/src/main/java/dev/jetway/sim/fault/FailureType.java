package dev.jetway.sim.fault;

import dev.jetway.sim.openai.ApiError;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The failures {@code --failure-types} can inject, with the status and error body each one answers with. */
public enum FailureType {
    RATE_LIMIT(429, "RateLimitError", null, "Rate limit reached for model %s, please retry later"),
    INVALID_API_KEY(401, "AuthenticationError", null, "Incorrect API key provided"),
    SERVER_ERROR(503, "InternalServerError", null, "The server is temporarily unable to serve model %s"),
    INVALID_REQUEST(400, "BadRequestError", null, "Invalid request (injected failure)"),
    CONTEXT_LENGTH(400, "BadRequestError", "messages",
            "This model's maximum context length was exceeded for model %s (injected failure)"),
    MODEL_NOT_FOUND(404, "NotFoundError", "model", "The model `%s` does not exist.");

    private final int status;
    private final String type;
    private final String param;
    private final String messageFormat;

    FailureType(int status, String type, String param, String messageFormat) {
        this.status = status;
        this.type = type;
        this.param = param;
        this.messageFormat = messageFormat;
    }

    public int status() {
        return status;
    }

    /** The flag value, e.g. {@code rate_limit}. */
    public String flagName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public ApiError toError(String model) {
        return new ApiError(status, type, String.format(Locale.ROOT, messageFormat, model), param);
    }

    public static FailureType fromFlag(String value) {
        String normalized = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (FailureType type : values()) {
            if (type.name().equals(normalized)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown failure type '" + value + "'; expected one of "
                + Arrays.stream(values()).map(FailureType::flagName).collect(Collectors.joining(", ")));
    }

    /** The failure answering with {@code status}, for {@code X-Return-Error}; null if none matches. */
    public static FailureType forStatus(int status) {
        for (FailureType type : values()) {
            if (type.status == status) {
                return type;
            }
        }
        return null;
    }
}
