package dev.jetway.sim.metrics;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * A Prometheus histogram with fixed upper bounds (in seconds), cumulative on export. Written by one thread (the
 * engine thread), read by scrapes; a scrape may see one observation half-applied, which Prometheus tolerates.
 */
public final class Histogram {

    private final double[] bounds;
    /** counts[i] = observations in (bounds[i-1], bounds[i]]; the last slot is +Inf. */
    private final AtomicLongArray counts;
    private final DoubleAdder sum = new DoubleAdder();

    public Histogram(double... bounds) {
        this.bounds = bounds.clone();
        this.counts = new AtomicLongArray(bounds.length + 1);
    }

    public void observeNanos(long nanos) {
        observe(nanos / 1e9);
    }

    public void observe(double seconds) {
        int i = 0;
        while (i < bounds.length && seconds > bounds[i]) {
            i++;
        }
        counts.incrementAndGet(i);
        sum.add(seconds);
    }

    double[] bounds() {
        return bounds;
    }

    /** Cumulative counts per bound, then the total (+Inf). */
    long[] cumulativeCounts() {
        long[] out = new long[counts.length()];
        long running = 0;
        for (int i = 0; i < out.length; i++) {
            running += counts.get(i);
            out[i] = running;
        }
        return out;
    }

    double sum() {
        return sum.sum();
    }
}
