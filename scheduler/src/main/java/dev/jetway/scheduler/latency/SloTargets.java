package dev.jetway.scheduler.latency;

import dev.jetway.scheduler.InferenceRequest;
import java.util.function.Function;

/**
 * A request's latency objectives from llm-d's headers: {@value #TTFT_HEADER} and {@value #TPOT_HEADER}
 * (milliseconds; the old {@value #LEGACY_TTFT_HEADER} / {@value #LEGACY_TPOT_HEADER} are read too, and the canonical
 * name wins when both are sent). The one place these headers are parsed: the gateway rejects a malformed value with
 * a 400 naming the header ({@link #parse}); the scheduler, which may also be driven by callers that did not validate,
 * reads leniently ({@link #of}).
 *
 * @param ttftSeconds time-to-first-token objective, or 0 for none
 * @param tpotSeconds time-per-output-token objective, or 0 for none
 */
public record SloTargets(double ttftSeconds, double tpotSeconds) {

    public static final String TTFT_HEADER = "x-llm-d-slo-ttft-ms";
    public static final String TPOT_HEADER = "x-llm-d-slo-tpot-ms";
    public static final String LEGACY_TTFT_HEADER = "x-slo-ttft-ms";
    public static final String LEGACY_TPOT_HEADER = "x-slo-tpot-ms";

    public static final SloTargets NONE = new SloTargets(0, 0);

    /** A header that does not hold a non-negative number of milliseconds. */
    public static final class InvalidHeader extends IllegalArgumentException {
        private final String header;

        InvalidHeader(String header, String value) {
            super("header " + header + " must be a non-negative number of milliseconds, got '" + value + "'");
            this.header = header;
        }

        /** The header's name, as the client sent it (lower case). */
        public String header() {
            return header;
        }
    }

    public boolean any() {
        return ttftSeconds > 0 || tpotSeconds > 0;
    }

    /** The request's objectives; a malformed header throws {@link InvalidHeader} naming it. */
    public static SloTargets parse(InferenceRequest request) {
        return parse(request::header);
    }

    /**
     * The objectives in a set of headers ({@code header} gives a header's value by its lower-case name, or null); a
     * malformed header throws {@link InvalidHeader} naming it.
     */
    public static SloTargets parse(Function<String, String> header) {
        if (header.apply(TTFT_HEADER) == null && header.apply(TPOT_HEADER) == null
                && header.apply(LEGACY_TTFT_HEADER) == null && header.apply(LEGACY_TPOT_HEADER) == null) {
            return NONE;
        }
        return new SloTargets(seconds(header, TTFT_HEADER, LEGACY_TTFT_HEADER, true),
                seconds(header, TPOT_HEADER, LEGACY_TPOT_HEADER, true));
    }

    /** The request's objectives; a malformed header counts as absent. */
    public static SloTargets of(InferenceRequest request) {
        String ttft = request.header(TTFT_HEADER);
        String tpot = request.header(TPOT_HEADER);
        if (ttft == null && tpot == null && request.header(LEGACY_TTFT_HEADER) == null
                && request.header(LEGACY_TPOT_HEADER) == null) {
            return NONE; // the common case: no header, no parsing
        }
        return new SloTargets(seconds(request::header, TTFT_HEADER, LEGACY_TTFT_HEADER, false),
                seconds(request::header, TPOT_HEADER, LEGACY_TPOT_HEADER, false));
    }

    private static double seconds(Function<String, String> headers, String header, String legacy, boolean strict) {
        String name = header;
        String value = headers.apply(header);
        if (value == null) {
            name = legacy;
            value = headers.apply(legacy);
        }
        if (value == null) {
            return 0;
        }
        double ms;
        try {
            ms = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            ms = Double.NaN;
        }
        if (!Double.isFinite(ms) || ms < 0) {
            if (strict) {
                throw new InvalidHeader(name, value);
            }
            return 0;
        }
        return ms / 1000.0;
    }
}
