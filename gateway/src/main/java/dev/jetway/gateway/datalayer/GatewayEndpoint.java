package dev.jetway.gateway.datalayer;

import dev.jetway.gateway.config.EndpointConfig;
import dev.jetway.gateway.config.HostPort;
import dev.jetway.gateway.outlier.EndpointStanding;
import dev.jetway.gateway.datalayer.engines.EngineAdapters;
import dev.jetway.gateway.upstream.UpstreamPools;
import dev.jetway.scheduler.Endpoint;
import java.util.List;

/**
 * A model server as the gateway sees it: the scheduler's {@link Endpoint} (metrics snapshot, in-flight counters),
 * its scrape health, its standing with its pool's outlier detection (checked, ejected), the models it lists, and its
 * upstream connection pools.
 */
public final class GatewayEndpoint {

    private final EndpointConfig config;
    private final HostPort address;
    private final Endpoint endpoint;
    private final EndpointHealth health;
    private final UpstreamPools pools;
    private volatile List<String> servedModels = List.of();
    private volatile long lastScrapeNanos = Long.MIN_VALUE;
    private volatile EndpointStanding standing;
    private final String engineSetting;
    private volatile String engine;
    private final TokenUnits tokenUnits = new TokenUnits();

    public GatewayEndpoint(EndpointConfig config, int unreadyAfter, UpstreamPools pools) {
        this(config, EngineAdapters.AUTO, unreadyAfter, pools);
    }

    /** @param engineSetting the pool's {@code engine}: an engine name or {@value EngineAdapters#AUTO} */
    public GatewayEndpoint(EndpointConfig config, String engineSetting, int unreadyAfter, UpstreamPools pools) {
        this.config = config;
        this.engineSetting = engineSetting;
        this.engine = EngineAdapters.AUTO.equals(engineSetting) ? "not recognised yet" : engineSetting;
        this.address = HostPort.parse(config.address());
        this.endpoint = new Endpoint(config.address(), config.address(), config.effectiveLabels());
        this.health = new EndpointHealth(unreadyAfter);
        this.pools = pools;
        this.standing = EndpointStanding.unmanaged(config.address());
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

    /** Routing tokens per engine token, learned from its responses: the unit its KV capacity is reported in. */
    public TokenUnits tokenUnits() {
        return tokenUnits;
    }

    /** Scrapes succeed (or have not failed often enough yet): the data layer's view. */
    public boolean ready() {
        return health.ready();
    }

    /** Ready, passed a health check, not ejected: the scheduler may pick it. */
    public boolean inRotation() {
        return health.ready() && standing.routable();
    }

    /** Its standing with the pool's outlier detection (always routable when no detector manages it). */
    public EndpointStanding standing() {
        return standing;
    }

    /** Set by the routing state when the endpoint joins a configuration generation. */
    public void standing(EndpointStanding next) {
        this.standing = next;
    }

    /** Model and adapter ids from the endpoint's {@code /v1/models} (empty until read). */
    public List<String> servedModels() {
        return servedModels;
    }

    void servedModels(List<String> models) {
        this.servedModels = List.copyOf(models);
    }

    /** The pool's {@code engine} setting this endpoint was built with. */
    public String engineSetting() {
        return engineSetting;
    }

    /** The engine whose metrics are read, as {@code /ready} shows it (e.g. {@code llama.cpp (recognised)}). */
    public String engine() {
        return engine;
    }

    void engine(String shown) {
        this.engine = shown;
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
