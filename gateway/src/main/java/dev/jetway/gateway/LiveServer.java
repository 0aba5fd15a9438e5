package dev.jetway.gateway;

import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.routing.RoutingState;

/** A server that routes with a {@link GatewayConfig} and takes a new one live: the gateway, or the endpoint picker. */
public interface LiveServer extends AutoCloseable {

    /** Its routing state (readiness gates are added there). */
    RoutingState routing();

    /** Applies a new configuration without dropping traffic. */
    void reload(GatewayConfig config);

    /**
     * Drains for shutdown: not ready from now on, no new requests, those in flight run on for {@code
     * server.drainTimeout} and are stopped after it. Blocks until drained; {@link #close} follows.
     *
     * @return whether everything in flight finished in time
     */
    boolean drain();

    @Override
    void close();
}
