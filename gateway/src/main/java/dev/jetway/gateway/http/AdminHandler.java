package dev.jetway.gateway.http;

import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.outlier.EndpointsView;
import dev.jetway.gateway.peers.PeerSyncService;
import dev.jetway.gateway.routing.RoutingState;
import dev.jetway.gateway.security.AccessControl;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;

/**
 * The admin port: {@code /metrics} (Prometheus text), {@code /health}, {@code /ready}, {@code /endpoints} (each
 * endpoint's rotation, health checks and ejection), and peers' routing digests ({@code POST}
 * {@value PeerSyncService#PATH}, answered 204 with this replica's peer id). Every request first passes
 * {@link AdminAccess}: the admin token, or a caller on this machine.
 */
public final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final GatewayMetrics metrics;
    private final RoutingState routing;
    private final PeerSyncService peers;
    private final AdminAccess access;

    public AdminHandler(GatewayMetrics metrics, RoutingState routing, PeerSyncService peers, AccessControl access) {
        this.metrics = metrics;
        this.routing = routing;
        this.peers = peers;
        this.access = new AdminAccess(access);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String path = request.uri().split("\\?", 2)[0];
        OpenAiError refused = access.check(request, ctx.channel().remoteAddress());
        if (refused != null) {
            Responses.error(ctx, refused, keepAlive);
            return;
        }
        if (HttpMethod.POST.equals(request.method()) && PeerSyncService.PATH.equals(path)) {
            receiveDigest(ctx, request, keepAlive);
            return;
        }
        if (!HttpMethod.GET.equals(request.method())) {
            Responses.error(ctx, OpenAiError.methodNotAllowed(request.method().name(), path), keepAlive);
            return;
        }
        switch (path) {
            case "/metrics" -> Responses.text(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape(),
                    keepAlive);
            case "/health" -> Responses.json(ctx, 200, "{\"status\":\"ok\"}", keepAlive);
            case "/ready" -> Responses.ready(ctx, routing.readiness(), keepAlive);
            case "/endpoints" -> Responses.json(ctx, 200, EndpointsView.json(routing.outliers()), keepAlive);
            default -> Responses.error(ctx, OpenAiError.notFound("no route for " + path, "not_found"), keepAlive);
        }
    }

    private void receiveDigest(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
        byte[] body = new byte[request.content().readableBytes()];
        request.content().readBytes(body);
        long sent;
        try {
            sent = Long.parseLong(request.headers().get(PeerSyncService.SENT_HEADER, "-1"));
        } catch (NumberFormatException e) {
            sent = -1;
        }
        if (!peers.receive(body, sent)) {
            Responses.error(ctx, OpenAiError.badRequest("not a routing digest for a pool of this gateway (or peers "
                    + "are off here)", "invalid_peer_digest"), keepAlive);
            return;
        }
        FullHttpResponse r = Responses.full(HttpResponseStatus.NO_CONTENT, "text/plain", new byte[0]);
        r.headers().set(PeerSyncService.ID_HEADER, peers.self());
        HttpUtil.setKeepAlive(r, keepAlive);
        ChannelFuture f = ctx.writeAndFlush(r);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** An admin client that sends nothing for the idle timeout is closed: the port's few connections are for probes. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.handler.timeout.IdleStateEvent) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
