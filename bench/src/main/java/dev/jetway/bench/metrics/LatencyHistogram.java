package dev.jetway.bench.metrics;

import org.HdrHistogram.Histogram;

/**
 * Latencies in microseconds (3 significant digits, up to ~3 hours), reported in seconds.
 *
 * <p>Equal consecutive values are counted up and recorded once: a simulated decode step hands every running request
 * a token after the same gap, so inter-token latencies arrive in long runs of one value, and one HdrHistogram update
 * per run instead of per token is most of what recording them costs. Every read sees the pending run.
 */
final class LatencyHistogram {

    private static final long MAX_MICROS = 10_000_000_000L;

    private final Histogram histogram = new Histogram(1, MAX_MICROS, 3);
    private long runMicros = -1;
    private long runCount;

    void recordNanos(long nanos, long count) {
        long micros = Math.max(1, Math.min(MAX_MICROS, (nanos + 500) / 1000));
        if (micros != runMicros) {
            flush();
            runMicros = micros;
        }
        runCount += count;
    }

    private Histogram flushed() {
        flush();
        return histogram;
    }

    private void flush() {
        if (runCount > 0) {
            histogram.recordValueWithCount(runMicros, runCount);
            runCount = 0;
        }
    }

    void add(LatencyHistogram other) {
        flushed().add(other.flushed());
    }

    long count() {
        return flushed().getTotalCount();
    }

    /** Seconds at a percentile (0..100), or null when nothing was recorded. */
    Double percentile(double p) {
        return count() == 0 ? null : histogram.getValueAtPercentile(p) / 1e6;
    }

    Double mean() {
        return count() == 0 ? null : histogram.getMean() / 1e6;
    }

    Double max() {
        return count() == 0 ? null : histogram.getMaxValue() / 1e6;
    }
}
