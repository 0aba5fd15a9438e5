package dev.jetway.gateway.config;

import java.time.Duration;

/**
 * How the gateway talks to model servers.
 *
 * @param connectTimeout            TCP connect
 * @param firstByteTimeout          request sent → response headers (covers queueing and prefill)
 * @param idleTimeout               longest silence between two chunks of a response
 * @param maxRetries                extra endpoints tried after a connect error or 5xx before the first byte
 * @param retryBackoff              base delay before a retry; the actual delay is jittered in [base/2, base*3/2]
 * @param maxConnectionsPerEndpoint open connections per endpoint and event loop; beyond it the next endpoint is tried
 * @param maxIdleConnectionsPerEndpoint kept-alive idle connections per endpoint and event loop
 */
public record UpstreamSettings(Duration connectTimeout, Duration firstByteTimeout, Duration idleTimeout,
                               Integer maxRetries, Duration retryBackoff, Integer maxConnectionsPerEndpoint,
                               Integer maxIdleConnectionsPerEndpoint) {

    public UpstreamSettings {
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(2) : connectTimeout;
        firstByteTimeout = firstByteTimeout == null ? Duration.ofSeconds(300) : firstByteTimeout;
        idleTimeout = idleTimeout == null ? Duration.ofSeconds(60) : idleTimeout;
        maxRetries = maxRetries == null ? 2 : maxRetries;
        retryBackoff = retryBackoff == null ? Duration.ofMillis(5) : retryBackoff;
        maxConnectionsPerEndpoint = maxConnectionsPerEndpoint == null ? 1024 : maxConnectionsPerEndpoint;
        maxIdleConnectionsPerEndpoint = maxIdleConnectionsPerEndpoint == null ? 128 : maxIdleConnectionsPerEndpoint;
        ConfigChecks.positive("upstream.connectTimeout", connectTimeout);
        ConfigChecks.positive("upstream.firstByteTimeout", firstByteTimeout);
        ConfigChecks.positive("upstream.idleTimeout", idleTimeout);
        ConfigChecks.nonNegative("upstream.maxRetries", maxRetries);
        ConfigChecks.positive("upstream.maxConnectionsPerEndpoint", maxConnectionsPerEndpoint);
        ConfigChecks.nonNegative("upstream.maxIdleConnectionsPerEndpoint", maxIdleConnectionsPerEndpoint);
    }

    public static UpstreamSettings defaults() {
        return new UpstreamSettings(null, null, null, null, null, null, null);
    }
}
