package dev.jetway.scheduler;

import java.util.Objects;

/**
 * An endpoint's metrics snapshot together with this gateway's in-flight counts on it when the snapshot was
 * published. A scrape says what the engine had; the counts say what this gateway has sent or finished since, so
 * {@code Endpoint.inFlightRequests() - inFlightRequests()} is the net change the scrape does not show yet.
 *
 * @param metrics               the snapshot
 * @param inFlightRequests      {@link Endpoint#inFlightRequests()} when it was published
 * @param inFlightContextTokens {@link Endpoint#inFlightContextTokens()} when it was published
 */
public record MetricsSample(EndpointMetrics metrics, int inFlightRequests, long inFlightContextTokens) {

    /** Before the first scrape. */
    public static final MetricsSample NONE = new MetricsSample(EndpointMetrics.UNKNOWN, 0, 0);

    public MetricsSample {
        Objects.requireNonNull(metrics, "metrics");
    }

    /** True when the endpoint has never been scraped. */
    public boolean never() {
        return metrics.updateTimeNanos() == Long.MIN_VALUE;
    }
}
