package dev.jetway.gateway.path;

import dev.jetway.gateway.proxy.ProxyContext;
import dev.jetway.gateway.proxy.ProxyExchange;
import dev.jetway.gateway.proxy.UpstreamHeaders;
import dev.jetway.gateway.security.AccessControl;

/**
 * Hands the request to a {@link ProxyExchange}, which runs the scheduler's pre-request hooks for each endpoint it
 * tries, relays the model server's answer, runs the response hooks and ends the request.
 */
final class ProxyStage implements RequestStage {

    static final String DEBUG_HEADER = "x-jetway-debug";

    private final ProxyContext context;

    ProxyStage(ProxyContext context) {
        this.context = context;
    }

    @Override
    public String name() {
        return "proxy";
    }

    @Override
    public StageResult apply(GatewayRequest request) {
        AccessControl access = context.access();
        boolean debug = context.debugHeaderAlways()
                || access.debugAllowed(request.header(DEBUG_HEADER), request.header(UpstreamHeaders.ADMIN_TOKEN_HEADER));
        ProxyExchange exchange = new ProxyExchange(request, context.metrics(), context.routing().config().upstream(),
                debug, access.settings().endpointHeader(), access.upstreamKey(request.pool().name()),
                context.writeStallTimeout());
        request.proxiedBy(exchange);
        exchange.start();
        return StageResult.SUSPENDED;
    }
}
