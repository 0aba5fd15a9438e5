package dev.jetway.gateway.datalayer;

import dev.jetway.gateway.config.EndpointConfig;
import dev.jetway.gateway.config.HostPort;
import dev.jetway.gateway.upstream.UpstreamPools;
import dev.jetway.scheduler.Endpoint;
import java.util.List;

/**
 * A model server as the gateway sees it: the scheduler's {@link Endpoint} (metrics snapshot, in-flight counters),
 * its scrape health, the models it lists, and its upstream connection pools.
 */
public final class GatewayEndpoint {

    private final EndpointConfig config;
    private final HostPort address;
    private final Endpoint endpoint;
    private final EndpointHealth health;
    private final UpstreamPools pools;
    private volatile List<String> servedModels = List.of();
    private volatile long lastScrapeNanos = Long.MIN_VALUE;

    public GatewayEndpoint(EndpointConfig config, int unreadyAfter, UpstreamPools pools) {
        this.config = config;
        this.address = HostPort.parse(config.address());
        this.endpoint = new Endpoint(config.address(), config.address(), config.effectiveLabels());
        this.health = new EndpointHealth(unreadyAfter);
        this.pools = pools;
    }

    public EndpointConfig config() {
        return config;
    }

    public HostPort address() {
        return address;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public EndpointHealth health() {
        return health;
    }

    public UpstreamPools pools() {
        return pools;
    }

    public boolean ready() {
        return health.ready();
    }

    /** Model and adapter ids from the endpoint's {@code /v1/models} (empty until read). */
    public List<String> servedModels() {
        return servedModels;
    }

    void servedModels(List<String> models) {
        this.servedModels = List.copyOf(models);
    }

    public long lastScrapeNanos() {
        return lastScrapeNanos;
    }

    void lastScrapeNanos(long nanos) {
        this.lastScrapeNanos = nanos;
    }

    @Override
    public String toString() {
        return config.address();
    }
}
