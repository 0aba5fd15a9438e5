package dev.jetway.bench.metrics;

import org.HdrHistogram.Histogram;

/** Latencies in microseconds (3 significant digits, up to ~3 hours), reported in seconds. */
final class LatencyHistogram {

    private static final long MAX_MICROS = 10_000_000_000L;

    final Histogram histogram = new Histogram(1, MAX_MICROS, 3);

    void recordNanos(long nanos, long count) {
        long micros = Math.max(1, Math.min(MAX_MICROS, (nanos + 500) / 1000));
        histogram.recordValueWithCount(micros, count);
    }

    void add(LatencyHistogram other) {
        histogram.add(other.histogram);
    }

    long count() {
        return histogram.getTotalCount();
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
