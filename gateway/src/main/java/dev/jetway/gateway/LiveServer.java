package dev.jetway.gateway;

import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.routing.RoutingState;

/** A server that routes with a {@link GatewayConfig} and takes a new one live: the gateway, or the endpoint picker. */
public interface LiveServer extends AutoCloseable {

    /** Its routing state (readiness gates are added there). */
    RoutingState routing();

    /** Applies a new configuration without dropping traffic. */
    void reload(GatewayConfig config);

    @Override
    void close();
}
