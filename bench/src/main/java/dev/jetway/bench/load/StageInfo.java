package dev.jetway.bench.load;

/** A stage as run: its position, target rate and window in nanoseconds from the start of the run. */
public record StageInfo(int index, double rate, long startNanos, long endNanos, boolean warmup) {

    public double durationSeconds() {
        return (endNanos - startNanos) / 1e9;
    }
}
