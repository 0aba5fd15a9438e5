package dev.jetway.scheduler;

import java.util.Objects;

/**
 * An endpoint's metrics snapshot together with this gateway's in-flight counts on it when the snapshot was
 * published. A scrape says what the engine had; the counts say what this gateway has sent or finished since, so
 * {@code Endpoint.inFlightRequests() - inFlightRequests()} is the net change the scrape does not show yet.
 *
 * <p>{@code metrics} is what the scorers see; {@code scraped} is what the engine last reported. They differ only
 * while a host shows a stale endpoint as saturated to keep traffic off it ({@link Endpoint#showMetrics}): the
 * scorers then see the pessimistic view, while flow control estimates from the last real report.
 *
 * @param metrics               the snapshot the scorers see
 * @param scraped               the engine's last report
 * @param inFlightRequests      {@link Endpoint#inFlightRequests()} when {@code scraped} was published
 * @param inFlightContextTokens {@link Endpoint#inFlightContextTokens()} when {@code scraped} was published
 */
public record MetricsSample(EndpointMetrics metrics, EndpointMetrics scraped, int inFlightRequests,
                            long inFlightContextTokens) {

    /** Before the first scrape. */
    public static final MetricsSample NONE = new MetricsSample(EndpointMetrics.UNKNOWN, 0, 0);

    public MetricsSample {
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(scraped, "scraped");
    }

    /** A fresh report, seen as it is. */
    public MetricsSample(EndpointMetrics metrics, int inFlightRequests, long inFlightContextTokens) {
        this(metrics, metrics, inFlightRequests, inFlightContextTokens);
    }

    /** True when the endpoint has never been scraped. */
    public boolean never() {
        return scraped.updateTimeNanos() == Long.MIN_VALUE;
    }
}
