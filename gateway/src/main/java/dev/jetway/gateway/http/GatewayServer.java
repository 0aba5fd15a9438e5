package dev.jetway.gateway.http;

import dev.jetway.gateway.LiveServer;

import dev.jetway.gateway.audit.AuditLog;
import dev.jetway.gateway.config.AuditSettings;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.k8s.KubernetesDiscovery;
import dev.jetway.gateway.security.AccessControl;
import dev.jetway.gateway.security.ServerTls;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.function.Function;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.path.RequestPath;
import dev.jetway.gateway.peers.PeerSyncService;
import dev.jetway.gateway.proxy.ProxyContext;
import dev.jetway.gateway.request.RequestParser;
import dev.jetway.gateway.routing.RoutingState;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running gateway: the OpenAI port, the admin port, the event loops shared by client and upstream connections,
 * and the routing state. {@link #start} binds; {@link #reload} applies a new configuration live; {@link #close}
 * stops everything.
 */
public final class GatewayServer implements LiveServer {

    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);

    /** Per-connection write buffer bounds: above the high mark a slow client pauses its upstream. */
    static final WriteBufferWaterMark CLIENT_WATER_MARK = new WriteBufferWaterMark(32 * 1024, 128 * 1024);

    private final Transport transport;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final GatewayMetrics metrics;
    private final RoutingState routing;
    private final PeerSyncService peers;
    private final AccessControl access;
    private final ServerTls tls;
    private final Channel apiChannel;
    private final Channel adminChannel;
    /** The audit log, or null; its settings are read at start ({@link #reload} cannot change them). */
    private final AuditLog audit;
    private final AuditSettings auditSettings;

    private GatewayServer(GatewayConfig config, int workerThreads, Function<GatewayConfig, KubernetesClient> kubernetes)
            throws InterruptedException {
        this.transport = Transport.best();
        this.boss = transport.newGroup(1, "jetway-accept");
        this.workers = transport.newGroup(workerThreads, "jetway-io");
        this.metrics = new GatewayMetrics();
        this.routing = new RoutingState(metrics, transport.socketChannel());
        this.peers = new PeerSyncService(routing, metrics);
        Channel api = null;
        Channel admin = null;
        AuditLog auditLog = null;
        AccessControl accessControl = null;
        ServerTls serverTls = null;
        try {
            accessControl = new AccessControl(config, kubernetes);
            serverTls = config.server().tls() == null ? null : new ServerTls(config.server().tls(), config.baseDir());
            AccessControl acl = accessControl;
            routing.apply(config);
            auditLog = config.audit() == null ? null : AuditLog.start(config.audit(), config.baseDir(), metrics);
            routing.readiness().addGate(acl::waitingFor);
            peers.adminToken(() -> acl.adminToken() == null ? null : acl.adminToken().value());
            ProxyContext context = new ProxyContext(routing, metrics, new RequestParser(config.server().maxBodyBytes()),
                    config.server().maxBodyBytes(), config.server().debugHeader(), auditLog, acl);
            api = bind(config.server().host(), config.server().port(),
                    new ApiChannelInitializer(new RequestPath(context), config.server().clientIdleTimeout(),
                            serverTls));
            if (config.server().adminPort() >= 0) {
                admin = bind(config.server().adminHost(), config.server().adminPort(),
                        new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline().addLast(new HttpServerCodec());
                                ch.pipeline().addLast(new HttpObjectAggregator(64 * 1024));
                                ch.pipeline().addLast(new AdminHandler(metrics, routing, peers, acl));
                            }
                        });
            }
        } catch (RuntimeException | InterruptedException e) {
            if (api != null) {
                api.close();
            }
            if (auditLog != null) {
                auditLog.close();
            }
            if (accessControl != null) {
                accessControl.close();
            }
            if (serverTls != null) {
                serverTls.close();
            }
            routing.close();
            shutdownGroups();
            throw e;
        }
        this.access = accessControl;
        this.tls = serverTls;
        this.apiChannel = api;
        this.adminChannel = admin;
        this.audit = auditLog;
        this.auditSettings = config.audit();
        peers.configure(config.peers()); // once the admin port takes peers' digests
        log.info("gateway listening on {}{} (admin {} on {}), transport {}", port(), tls == null ? "" : " (TLS)",
                adminPort(), config.server().adminHost(), transport.name());
    }

    /** Binds and starts the gateway; worker threads default to the number of cores. */
    public static GatewayServer start(GatewayConfig config) throws InterruptedException {
        return start(config, Runtime.getRuntime().availableProcessors());
    }

    public static GatewayServer start(GatewayConfig config, int workerThreads) throws InterruptedException {
        return start(config, workerThreads, KubernetesDiscovery::client);
    }

    /** @param kubernetes the Kubernetes API, for credentials in Secrets (asked for only then) */
    public static GatewayServer start(GatewayConfig config, int workerThreads,
                                      Function<GatewayConfig, KubernetesClient> kubernetes) throws InterruptedException {
        return new GatewayServer(config, workerThreads, kubernetes);
    }

    /**
     * Binds a listening socket; a port that cannot be had (taken, not permitted) is an {@link IllegalStateException}
     * naming the address, never Netty's checked exception, which names neither and would escape as a stack trace.
     */
    private Channel bind(String host, int port, ChannelInitializer<SocketChannel> init) throws InterruptedException {
        var bound = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(init)
                .bind(host, port).await();
        if (!bound.isSuccess()) {
            String why = bound.cause().getMessage();
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": "
                    + (why != null && why.contains("Address already in use") ? "the port is already in use" : why),
                    bound.cause());
        }
        return bound.channel();
    }

    /** Applies a new configuration without dropping traffic (server ports and limits need a restart). */
    public void reload(GatewayConfig config) {
        if (!java.util.Objects.equals(auditSettings, config.audit())) {
            log.warn("the audit settings changed: they take effect when the gateway restarts");
        }
        access.apply(config);
        routing.apply(config);
        peers.configure(config.peers());
    }

    public int port() {
        return ((InetSocketAddress) apiChannel.localAddress()).getPort();
    }

    /** The admin port, or -1 when the admin server is off. */
    public int adminPort() {
        return adminChannel == null ? -1 : ((InetSocketAddress) adminChannel.localAddress()).getPort();
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public RoutingState routing() {
        return routing;
    }

    /** API keys, admin token, what responses reveal. */
    public AccessControl access() {
        return access;
    }

    /** The routing-digest exchange with peer replicas (idle without {@code peers}). */
    public PeerSyncService peers() {
        return peers;
    }

    public String transportName() {
        return transport.name();
    }

    @Override
    public void close() {
        peers.close();
        apiChannel.close().awaitUninterruptibly();
        if (adminChannel != null) {
            adminChannel.close().awaitUninterruptibly();
        }
        routing.close();
        access.close();
        if (tls != null) {
            tls.close();
        }
        metrics.close();
        shutdownGroups();
        if (audit != null) {
            audit.close(); // last: requests ended by the shutdown are still recorded
        }
        log.info("gateway stopped");
    }

    private void shutdownGroups() {
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
