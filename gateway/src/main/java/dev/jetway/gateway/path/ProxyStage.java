package dev.jetway.gateway.path;

import dev.jetway.gateway.proxy.ProxyContext;
import dev.jetway.gateway.proxy.ProxyExchange;

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
        boolean debug = context.debugHeaderAlways() || "1".equals(request.header(DEBUG_HEADER));
        ProxyExchange exchange = new ProxyExchange(request, context.metrics(), context.routing().config().upstream(),
                debug);
        request.proxiedBy(exchange);
        exchange.start();
        return StageResult.SUSPENDED;
    }
}
