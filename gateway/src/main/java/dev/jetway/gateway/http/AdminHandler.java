package dev.jetway.gateway.http;

import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.routing.RoutingState;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;

/** The admin port: {@code /metrics} (Prometheus text), {@code /health}, {@code /ready}. */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final GatewayMetrics metrics;
    private final RoutingState routing;

    AdminHandler(GatewayMetrics metrics, RoutingState routing) {
        this.metrics = metrics;
        this.routing = routing;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String path = request.uri().split("\\?", 2)[0];
        if (!HttpMethod.GET.equals(request.method())) {
            Responses.error(ctx, OpenAiError.methodNotAllowed(request.method().name(), path), keepAlive);
            return;
        }
        switch (path) {
            case "/metrics" -> Responses.text(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape(),
                    keepAlive);
            case "/health" -> Responses.json(ctx, 200, "{\"status\":\"ok\"}", keepAlive);
            case "/ready" -> Responses.ready(ctx, routing.readiness().notReadyReason(), keepAlive);
            default -> Responses.error(ctx, OpenAiError.notFound("no route for " + path, "not_found"), keepAlive);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
