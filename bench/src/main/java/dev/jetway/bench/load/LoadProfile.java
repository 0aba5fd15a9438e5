package dev.jetway.bench.load;

import java.util.List;
import java.util.Objects;

/**
 * The load shape: an arrival process over a ladder of stages (warm-up first if any), an optional cap on requests in
 * flight, a per-request timeout, the seed of the arrival times and what happens between stages.
 *
 * @param maxConcurrency 0 = no cap; otherwise a request due while the cap is reached waits, and its latency still
 *                       counts from its scheduled send time
 * @param transition     whether a stage waits for its requests to finish before the next starts (inference-perf does)
 */
public record LoadProfile(ArrivalProcess type, List<LoadStage> stages, int maxConcurrency,
                          double requestTimeoutSeconds, long seed, StageTransition transition) {

    public static final double DEFAULT_TIMEOUT_SECONDS = 600;

    public LoadProfile {
        stages = List.copyOf(stages);
        Objects.requireNonNull(transition, "transition");
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("load needs at least one stage");
        }
        if (maxConcurrency < 0) {
            throw new IllegalArgumentException("max concurrency must be >= 0: " + maxConcurrency);
        }
        if (!(requestTimeoutSeconds > 0)) {
            throw new IllegalArgumentException("request timeout must be > 0 s: " + requestTimeoutSeconds);
        }
    }

    /** Stages back to back on the clock ({@link StageTransition#CONTINUOUS}). */
    public LoadProfile(ArrivalProcess type, List<LoadStage> stages, int maxConcurrency, double requestTimeoutSeconds,
                       long seed) {
        this(type, stages, maxConcurrency, requestTimeoutSeconds, seed, StageTransition.CONTINUOUS);
    }

    public static LoadProfile poisson(LoadStage... stages) {
        return new LoadProfile(ArrivalProcess.POISSON, List.of(stages), 0, DEFAULT_TIMEOUT_SECONDS, 42);
    }

    public static LoadProfile constant(LoadStage... stages) {
        return new LoadProfile(ArrivalProcess.CONSTANT, List.of(stages), 0, DEFAULT_TIMEOUT_SECONDS, 42);
    }

    public LoadProfile withMaxConcurrency(int cap) {
        return new LoadProfile(type, stages, cap, requestTimeoutSeconds, seed, transition);
    }

    public LoadProfile withTransition(StageTransition value) {
        return new LoadProfile(type, stages, maxConcurrency, requestTimeoutSeconds, seed, value);
    }

    public double totalSeconds() {
        return stages.stream().mapToDouble(LoadStage::durationSeconds).sum();
    }
}
