package dev.jetway.bench.metrics;

import dev.jetway.bench.load.StageInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts a P/D policy's decisions and times the legs of its split requests, over the measured (not warm-up) stages,
 * as {@link MetricsCollector} does for the client's numbers. Single-threaded, like the simulation that feeds it.
 */
public final class PdTally {

    private final List<StageInfo> stages;
    private final Map<String, Long> decisions = new LinkedHashMap<>();
    private final LatencyHistogram prefillLeg = new LatencyHistogram();
    private final LatencyHistogram decodeFirstToken = new LatencyHistogram();
    private final LatencyHistogram decodeLeg = new LatencyHistogram();
    private long aggregatedFallback;
    private long refused;
    private long prefillLegFailures;
    private boolean any;

    public PdTally(List<StageInfo> stages) {
        this.stages = List.copyOf(stages);
        for (String kind : new String[] {"prefill-decode", "decode-only", "no-prefill-endpoint"}) {
            decisions.put(kind, 0L);
        }
    }

    private boolean measured(int stage) {
        return !stages.get(stage).warmup();
    }

    /**
     * The scheduler decided {@code kind} (a {@code PdDecision.Kind} label) for a request of {@code stage};
     * {@code fallback}: it had no prefill endpoint and runs aggregated, {@code refusedNow}: it had none and fails.
     */
    public void decided(int stage, String kind, boolean fallback, boolean refusedNow) {
        any = true;
        if (!measured(stage)) {
            return;
        }
        decisions.merge(kind, 1L, Long::sum);
        aggregatedFallback += fallback ? 1 : 0;
        refused += refusedNow ? 1 : 0;
    }

    /** A split request ended during its prefill leg. */
    public void prefillLegFailed(int stage) {
        if (measured(stage)) {
            prefillLegFailures++;
        }
    }

    /** A split request that succeeded: the times of its legs, in nanoseconds. */
    public void split(int stage, long prefillLegNanos, long decodeFirstTokenNanos, long decodeLegNanos) {
        if (measured(stage)) {
            prefillLeg.recordNanos(prefillLegNanos, 1);
            decodeFirstToken.recordNanos(decodeFirstTokenNanos, 1);
            decodeLeg.recordNanos(decodeLegNanos, 1);
        }
    }

    /** Whether the policy decided anything about P/D (false: its pipeline has no P/D handler). */
    public boolean any() {
        return any;
    }

    public PdSummary summary() {
        return new PdSummary(Map.copyOf(decisions), aggregatedFallback, refused, prefillLegFailures,
                LegSummary.of(prefillLeg), LegSummary.of(decodeFirstToken), LegSummary.of(decodeLeg));
    }
}
