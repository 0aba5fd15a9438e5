package dev.jetway.gateway.config;

import java.time.Duration;

/**
 * How the gateway talks to model servers.
 *
 * @param connectTimeout            TCP connect
 * @param firstByteTimeout          request sent → first response byte (covers queueing and prefill), at most; the
 *                                  deadline of a request the latency model predicts is shorter (below)
 * @param idleTimeout               longest silence between two chunks of a response
 * @param maxRetries                extra endpoints tried after a connect error, reset, 5xx or first-byte timeout
 *                                  before the first byte
 * @param retryBackoff              base delay before a retry; the actual delay is jittered in [base/2, base*3/2]
 * @param maxConnectionsPerEndpoint open connections per endpoint and event loop; beyond it the next endpoint is tried
 * @param maxIdleConnectionsPerEndpoint kept-alive idle connections per endpoint and event loop
 * @param idleConnectionTtl         an idle connection older than this is closed instead of reused; keep it below the
 *                                  model server's keep-alive timeout (vLLM/uvicorn: 5 s)
 * @param firstByteTimeoutMargin    a request whose first byte the pool's latency model predicts gets that prediction
 *                                  times this as its first-byte deadline (within [minFirstByteTimeout,
 *                                  firstByteTimeout]); 0 = every request gets firstByteTimeout
 * @param minFirstByteTimeout       the shortest first-byte deadline a prediction can give
 * @param retryBudgetPercent        a pool's retries in progress at once, at most this share of its requests in flight
 *                                  (Envoy's retry budget), so that retries cannot multiply an overload
 * @param minRetryConcurrency       ... but always this many
 */
public record UpstreamSettings(Duration connectTimeout, Duration firstByteTimeout, Duration idleTimeout,
                               Integer maxRetries, Duration retryBackoff, Integer maxConnectionsPerEndpoint,
                               Integer maxIdleConnectionsPerEndpoint, Duration idleConnectionTtl,
                               Double firstByteTimeoutMargin, Duration minFirstByteTimeout,
                               Double retryBudgetPercent, Integer minRetryConcurrency) {

    public UpstreamSettings {
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(2) : connectTimeout;
        firstByteTimeout = firstByteTimeout == null ? Duration.ofSeconds(300) : firstByteTimeout;
        idleTimeout = idleTimeout == null ? Duration.ofSeconds(60) : idleTimeout;
        maxRetries = maxRetries == null ? 2 : maxRetries;
        retryBackoff = retryBackoff == null ? Duration.ofMillis(5) : retryBackoff;
        maxConnectionsPerEndpoint = maxConnectionsPerEndpoint == null ? 1024 : maxConnectionsPerEndpoint;
        maxIdleConnectionsPerEndpoint = maxIdleConnectionsPerEndpoint == null ? 128 : maxIdleConnectionsPerEndpoint;
        idleConnectionTtl = idleConnectionTtl == null ? Duration.ofSeconds(4) : idleConnectionTtl;
        firstByteTimeoutMargin = firstByteTimeoutMargin == null ? 5.0 : firstByteTimeoutMargin;
        minFirstByteTimeout = minFirstByteTimeout == null ? Duration.ofSeconds(5) : minFirstByteTimeout;
        if (firstByteTimeoutMargin != 0 && !(firstByteTimeoutMargin >= 1)) {
            throw new IllegalArgumentException("upstream.firstByteTimeoutMargin must be at least 1 (or 0: no "
                    + "adaptive deadline), got " + firstByteTimeoutMargin);
        }
        ConfigChecks.positive("upstream.minFirstByteTimeout", minFirstByteTimeout);
        retryBudgetPercent = retryBudgetPercent == null ? 20.0 : retryBudgetPercent;
        minRetryConcurrency = minRetryConcurrency == null ? 3 : minRetryConcurrency;
        if (!(retryBudgetPercent >= 0 && retryBudgetPercent <= 100)) {
            throw new IllegalArgumentException("upstream.retryBudgetPercent must be 0..100, got " + retryBudgetPercent);
        }
        ConfigChecks.nonNegative("upstream.minRetryConcurrency", minRetryConcurrency);
        ConfigChecks.positive("upstream.idleConnectionTtl", idleConnectionTtl);
        ConfigChecks.positive("upstream.connectTimeout", connectTimeout);
        ConfigChecks.positive("upstream.firstByteTimeout", firstByteTimeout);
        ConfigChecks.positive("upstream.idleTimeout", idleTimeout);
        ConfigChecks.nonNegative("upstream.maxRetries", maxRetries);
        ConfigChecks.positive("upstream.maxConnectionsPerEndpoint", maxConnectionsPerEndpoint);
        ConfigChecks.nonNegative("upstream.maxIdleConnectionsPerEndpoint", maxIdleConnectionsPerEndpoint);
    }

    public static UpstreamSettings defaults() {
        return new UpstreamSettings(null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
