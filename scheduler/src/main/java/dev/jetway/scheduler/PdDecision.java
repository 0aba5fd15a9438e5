package dev.jetway.scheduler;

import dev.jetway.scheduler.spi.AttributeKey;
import java.util.List;
import java.util.Objects;

/**
 * What a P/D profile handler ({@code disagg-profile-handler}) decided for one request: serve it on the decode
 * endpoint alone, or prefill it on a prefill endpoint first and hand the KV over; and why.
 *
 * @param kind               the outcome
 * @param decider            the decider plugin's name (or the handler's, when no decider ran)
 * @param reason             the decider's explanation in a few words, for the decision record and logs
 * @param prefillTargets     prefill endpoints best first (fallbacks for a failed prefill leg); empty unless
 *                           {@link Kind#PREFILL_DECODE}
 * @param aggregatedFallback whether the operator allows serving the request aggregated on the decode endpoint when
 *                           the prefill leg cannot run (off by default: a split that silently stops splitting is the
 *                           failure llm-d's users report most)
 */
public record PdDecision(Kind kind, String decider, String reason, List<Endpoint> prefillTargets,
                         boolean aggregatedFallback) {

    /** Where the handler leaves its decision for {@link SchedulingResult#pd()}. */
    public static final AttributeKey<PdDecision> KEY = AttributeKey.of("pd-decision", PdDecision.class);

    public enum Kind {
        /** The decider said no (or nothing needs prefilling): the decode endpoint serves it all. */
        DECODE_ONLY("decode-only"),
        /** Prefill leg on {@link #prefillEndpoint()}, then the decode leg on the primary endpoint. */
        PREFILL_DECODE("prefill-decode"),
        /** The decider said yes but no prefill endpoint was eligible. */
        NO_PREFILL_ENDPOINT("no-prefill-endpoint");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The metric label ({@code decode-only}, {@code prefill-decode}, {@code no-prefill-endpoint}). */
        public String label() {
            return label;
        }
    }

    public PdDecision {
        Objects.requireNonNull(kind, "kind");
        prefillTargets = List.copyOf(prefillTargets);
        if (kind == Kind.PREFILL_DECODE && prefillTargets.isEmpty()) {
            throw new IllegalArgumentException("a prefill-decode decision needs a prefill endpoint");
        }
    }

    /** The request runs two legs. */
    public boolean disaggregate() {
        return kind == Kind.PREFILL_DECODE;
    }

    /** The first prefill endpoint, or null when the request is not split. */
    public Endpoint prefillEndpoint() {
        return prefillTargets.isEmpty() ? null : prefillTargets.getFirst();
    }

    /** The request cannot be served as decided: a split was wanted, no prefill endpoint can run, no fallback. */
    public boolean blocked() {
        return kind == Kind.NO_PREFILL_ENDPOINT && !aggregatedFallback;
    }

    /** One line for the decision record: {@code pd=prefill-decode by prefix-based-pd-decider (4800 uncached >= 16)}. */
    public String describe() {
        return "pd=" + kind.label + " by " + decider + " (" + reason + ")"
                + (kind == Kind.NO_PREFILL_ENDPOINT ? (aggregatedFallback ? ", serving aggregated" : ", refused") : "");
    }
}
