package dev.jetway.bench.metrics;

/** One leg of split requests (seconds): how many were timed, and their mean and percentiles; null when none. */
public record LegSummary(long count, Double meanS, Double p50S, Double p90S, Double p95S, Double p99S) {

    static LegSummary of(LatencyHistogram h) {
        return new LegSummary(h.count(), h.mean(), h.percentile(50), h.percentile(90), h.percentile(95),
                h.percentile(99));
    }
}
