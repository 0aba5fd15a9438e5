package dev.jetway.gateway.http;

import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.peers.PeerSyncService;
import dev.jetway.gateway.routing.RoutingState;
import dev.jetway.gateway.security.AccessControl;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One connection to the admin port ({@link AdminHandler}), of the gateway or the endpoint picker. The port has its own
 * small connection budget, and slow or idle clients are closed, so probes and scrapes always get in however the API
 * port is treated.
 */
public final class AdminChannelInitializer extends ChannelInitializer<SocketChannel> {

    private final ConnectionBudget budget;
    private final Duration idleTimeout;
    private final Duration headerReadTimeout;
    private final GatewayMetrics metrics;
    private final RoutingState routing;
    private final PeerSyncService peers;
    private final AccessControl access;

    public AdminChannelInitializer(int maxConnections, Duration idleTimeout, Duration headerReadTimeout,
                                   GatewayMetrics metrics, RoutingState routing, PeerSyncService peers,
                                   AccessControl access) {
        this.budget = new ConnectionBudget(maxConnections, dev.jetway.gateway.metrics.ClientRefusal.ADMIN_CONNECTION_CAP,
                metrics);
        this.idleTimeout = idleTimeout;
        this.headerReadTimeout = headerReadTimeout;
        this.metrics = metrics;
        this.routing = routing;
        this.peers = peers;
        this.access = access;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        HeadReadDeadline headDeadline = new HeadReadDeadline(headerReadTimeout, metrics);
        ChannelPipeline p = ch.pipeline();
        p.addLast(budget);
        p.addLast(HeadReadDeadline.BYTES_NAME, headDeadline.bytes());
        p.addLast(new IdleStateHandler(idleTimeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast(new HttpServerCodec());
        p.addLast(HeadReadDeadline.NAME, headDeadline);
        p.addLast(new HttpObjectAggregator(64 * 1024));
        p.addLast(new AdminHandler(metrics, routing, peers, access));
    }
}
