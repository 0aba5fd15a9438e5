package dev.jetway.bench.metrics;

import java.util.Map;

/**
 * What a P/D policy did with the requests of the measured stages: the scheduler's decisions, and for the successful
 * split requests the time of each leg.
 *
 * @param decisions          requests per {@code PdDecision} kind ({@code prefill-decode}, {@code decode-only},
 *                           {@code no-prefill-endpoint})
 * @param aggregatedFallback requests with no prefill endpoint that ran aggregated on their decode endpoint
 * @param refused            requests with no prefill endpoint and no fallback: failed with 503
 * @param prefillLegFailures split requests that ended during their prefill leg (timeout, eviction, engine refusal)
 * @param prefillLeg         prefill leg: from reaching the prefill engine to its response (queue + prefill)
 * @param decodeFirstToken   decode leg: from reaching the decode engine to the first token (queue + KV transfer +
 *                           one decode step); TTFT = routing + prefill leg + this + the path times
 * @param decodeLeg          decode leg: from reaching the decode engine to the last token
 */
public record PdSummary(Map<String, Long> decisions, long aggregatedFallback, long refused, long prefillLegFailures,
                        LegSummary prefillLeg, LegSummary decodeFirstToken, LegSummary decodeLeg) {

    /** Requests the scheduler split. */
    public long split() {
        return decisions.getOrDefault("prefill-decode", 0L);
    }
}
