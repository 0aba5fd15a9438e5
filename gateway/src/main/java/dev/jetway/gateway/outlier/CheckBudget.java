package dev.jetway.gateway.outlier;

import dev.jetway.gateway.datalayer.GatewayEndpoint;

/**
 * How long a health check of an endpoint may be expected to wait for its token there now: the pool's latency model's
 * predicted time to first token of a one-token request behind the endpoint's current queue, times the first-byte
 * margin. A check gets at least {@code healthCheck.timeout}, more when the endpoint is busy, so a server that is
 * merely queueing is not taken for a hung one.
 */
@FunctionalInterface
public interface CheckBudget {

    /** No latency model: the endpoint's queue cannot be judged. */
    CheckBudget NONE = (pool, endpoint) -> -1;

    /** Nanoseconds, or -1 when the pool has no latency model. */
    long nanos(String pool, GatewayEndpoint endpoint);
}
