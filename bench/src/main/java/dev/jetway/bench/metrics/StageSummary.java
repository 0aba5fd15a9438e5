package dev.jetway.bench.metrics;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * One load stage: its target rate and window, then the same fields as the overall {@link Summary}, and for a
 * workload with traffic classes the stage per class, priority and tenant ({@link TrafficReport}; absent otherwise).
 */
public record StageSummary(int stage, double targetRate, double startS, boolean warmup,
                           @JsonUnwrapped Summary summary, @JsonUnwrapped TrafficReport traffic) {

    /** A stage of a run without traffic classes. */
    public StageSummary(int stage, double targetRate, double startS, boolean warmup, Summary summary) {
        this(stage, targetRate, startS, warmup, summary, null);
    }
}
