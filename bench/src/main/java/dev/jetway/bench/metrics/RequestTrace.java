package dev.jetway.bench.metrics;

/**
 * The timeline of one request as the client sees it, filled in by {@link MetricsCollector}. Times are nanoseconds on
 * the run's clock; latency counts from the scheduled send time, so a late send (client or server backlog) shows up
 * as latency rather than being hidden (no coordinated omission).
 */
public final class RequestTrace {

    final long index;
    final int stage;
    final long scheduledNanos;
    /** Position of the request's traffic class in the collector's list, -1 without one. */
    final int trafficClass;
    long firstTokenNanos = -1;
    long lastTokenNanos = -1;
    int outputTokens;

    public RequestTrace(long index, int stage, long scheduledNanos) {
        this(index, stage, scheduledNanos, -1);
    }

    RequestTrace(long index, int stage, long scheduledNanos, int trafficClass) {
        this.index = index;
        this.stage = stage;
        this.scheduledNanos = scheduledNanos;
        this.trafficClass = trafficClass;
    }

    public long index() {
        return index;
    }

    public int stage() {
        return stage;
    }

    public long scheduledNanos() {
        return scheduledNanos;
    }

    public long firstTokenNanos() {
        return firstTokenNanos;
    }

    public int outputTokens() {
        return outputTokens;
    }
}
