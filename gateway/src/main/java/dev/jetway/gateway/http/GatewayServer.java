package dev.jetway.gateway.http;

import dev.jetway.gateway.LiveServer;

import dev.jetway.gateway.audit.AuditLog;
import dev.jetway.gateway.config.AuditSettings;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.config.ServerSettings;
import dev.jetway.gateway.k8s.KubernetesDiscovery;
import dev.jetway.gateway.metrics.ClientRefusal;
import dev.jetway.gateway.security.AccessControl;
import dev.jetway.gateway.security.ServerTls;
import dev.jetway.gateway.trace.Tracing;
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
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
    private final ConnectionBudget apiBudget;
    private final Duration drainTimeout;
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Tracing (off unless configured); its settings are read at start. */
    private final Tracing tracing;
    private final dev.jetway.gateway.config.TracingSettings tracingSettings;

    private GatewayServer(GatewayConfig config, int workerThreads, Function<GatewayConfig, KubernetesClient> kubernetes,
                          Tracing givenTracing) throws InterruptedException {
        this.transport = Transport.best();
        this.boss = transport.newGroup(1, "jetway-accept");
        this.workers = transport.newGroup(workerThreads, "jetway-io");
        this.metrics = new GatewayMetrics();
        this.routing = new RoutingState(metrics, transport.socketChannel());
        this.peers = new PeerSyncService(routing, metrics);
        ServerSettings server = config.server();
        this.drainTimeout = server.drainTimeout();
        this.apiBudget = new ConnectionBudget(server.maxConnections() > 0 ? server.maxConnections()
                : ConnectionBudget.defaultCap(server.adminMaxConnections()), ClientRefusal.CONNECTION_CAP, metrics,
                server.tls() == null);
        Channel api = null;
        Channel admin = null;
        AuditLog auditLog = null;
        AccessControl accessControl = null;
        ServerTls serverTls = null;
        Tracing requestTracing = givenTracing;
        try {
            if (requestTracing == null) {
                requestTracing = Tracing.start(config.tracingOn());
            }
            accessControl = new AccessControl(config, kubernetes);
            serverTls = config.server().tls() == null ? null : new ServerTls(config.server().tls(), config.baseDir());
            AccessControl acl = accessControl;
            routing.outliers().upstreamKeys(acl::upstreamKey); // health checks carry the pools' keys, as requests do
            routing.apply(config);
            auditLog = config.audit() == null ? null : AuditLog.start(config.audit(), config.baseDir(), metrics);
            routing.readiness().addGate(acl::waitingFor);
            peers.adminToken(() -> acl.adminToken() == null ? null : acl.adminToken().value());
            ProxyContext context = new ProxyContext(routing, metrics, new RequestParser(server.maxBodyBytes()),
                    server.maxBodyBytes(), server.debugHeader(), auditLog, acl, server.maxHeaderBytes(),
                    server.writeStallTimeout(), requestTracing);
            api = bind(server.host(), server.port(), new ApiChannelInitializer(new RequestPath(context),
                    server.clientIdleTimeout(), serverTls, server.headerReadTimeout(), apiBudget));
            if (server.adminPort() >= 0) {
                admin = bind(server.adminHost(), server.adminPort(), new AdminChannelInitializer(
                        server.adminMaxConnections(), server.clientIdleTimeout(), server.headerReadTimeout(), metrics,
                        routing, peers, acl));
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
            if (requestTracing != null) {
                requestTracing.close();
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
        this.tracing = requestTracing;
        this.tracingSettings = config.tracing();
        peers.configure(config.peers()); // once the admin port takes peers' digests
        log.info("gateway listening on {}{} (admin {} on {}), transport {}, up to {} client connections", port(),
                tls == null ? "" : " (TLS)", adminPort(), config.server().adminHost(), transport.name(),
                apiBudget.cap());
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
        return new GatewayServer(config, workerThreads, kubernetes, null);
    }

    /**
     * With {@code tracing} instead of the one {@code config.tracing} describes (a test's in-memory exporter); the
     * server closes it when it stops.
     */
    public static GatewayServer start(GatewayConfig config, int workerThreads, Tracing tracing)
            throws InterruptedException {
        return new GatewayServer(config, workerThreads, KubernetesDiscovery::client, tracing);
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
        if (!java.util.Objects.equals(tracingSettings, config.tracing())) {
            log.warn("the tracing settings changed: they take effect when the gateway restarts");
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

    /** Client connections the API port holds now. */
    public int openConnections() {
        return apiBudget.open();
    }

    /** The most client connections the API port holds ({@code server.maxConnections}, or what descriptors allow). */
    public int maxConnections() {
        return apiBudget.cap();
    }

    /**
     * Drains for shutdown: {@code /ready} answers 503 from now on, the API port stops listening, idle client
     * connections close, busy ones close once their request is answered (a request that still arrives gets a 503), and
     * HTTP/2 connections get a GOAWAY. Requests in flight run on for {@code server.drainTimeout}; those still running
     * then are stopped (a stream ends with an SSE error event, then its connection closes). Blocks until every client
     * connection is closed or the deadline (plus a moment for the stopped ones to say so) has passed.
     *
     * @return whether everything in flight finished within the drain time
     */
    @Override
    public boolean drain() {
        if (!draining.compareAndSet(false, true)) {
            return true;
        }
        routing.readiness().drain();
        apiBudget.drain();
        apiChannel.close().awaitUninterruptibly();
        ChannelGroup open = apiBudget.channels();
        log.info("draining: stopped listening; {} client connection(s) open, up to {} ms for their requests",
                open.size(), drainTimeout.toMillis());
        open.forEach(ch -> ch.pipeline().fireUserEventTriggered(DrainEvent.START));
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        if (awaitClosed(open, deadline)) {
            log.info("drained: every request finished");
            return true;
        }
        log.warn("drain time ({} ms) ran out with {} client connection(s) still busy: stopping their requests "
                + "(streams end with an error event)", drainTimeout.toMillis(), open.size());
        DrainEvent.Deadline stop = new DrainEvent.Deadline(drainTimeout);
        open.forEach(ch -> ch.pipeline().fireUserEventTriggered(stop));
        awaitClosed(open, System.nanoTime() + DEADLINE_GRACE.toNanos());
        return false;
    }

    /** How long connections stopped at the drain deadline get to write their error and close. */
    static final Duration DEADLINE_GRACE = Duration.ofSeconds(2);

    private static boolean awaitClosed(ChannelGroup open, long deadlineNanos) {
        while (!open.isEmpty()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return open.isEmpty();
            }
        }
        return true;
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
        tracing.close(); // and their spans exported
        log.info("gateway stopped");
    }

    private void shutdownGroups() {
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
