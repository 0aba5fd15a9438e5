package dev.jetway.bench.metrics;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/** One load stage: its target rate and window, then the same fields as the overall {@link Summary}. */
public record StageSummary(int stage, double targetRate, double startS, boolean warmup,
                           @JsonUnwrapped Summary summary) {
}
