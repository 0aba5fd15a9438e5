package dev.jetway.gateway.extproc;

import dev.jetway.gateway.LiveServer;

import dev.jetway.gateway.config.EndpointConfig;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.config.HostPort;
import dev.jetway.gateway.config.PoolConfig;
import dev.jetway.gateway.http.AdminChannelInitializer;
import dev.jetway.gateway.k8s.KubernetesDiscovery;
import dev.jetway.gateway.security.AccessControl;
import dev.jetway.gateway.security.ServerTls;
import dev.jetway.gateway.http.Transport;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.path.RequestPath;
import dev.jetway.gateway.peers.PeerSyncService;
import dev.jetway.gateway.proxy.ProxyContext;
import dev.jetway.gateway.trace.Tracing;
import dev.jetway.gateway.request.RequestParser;
import dev.jetway.gateway.routing.RoutingState;
import io.envoyproxy.envoy.service.ext_proc.v3.ExternalProcessorGrpc;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code jetway epp}: the endpoint picker for Envoy (GIE's endpoint-picker protocol over ext_proc). Routes with the
 * same pools, schedulers, flow control, latency model and metrics as the gateway ({@link RoutingState}, the
 * gateway's request path up to its decision), but answers Envoy with the destination instead of proxying. Serves
 * {@code envoy.service.ext_proc.v3.ExternalProcessor} and gRPC health ({@code liveness}, {@code readiness} and the
 * ext_proc service name; the last two only when the gateway's {@code /ready} would say ready and every pool's
 * endpoints are known, {@link PoolReadiness}) on one port, optionally health alone on a second, and the gateway's
 * admin port ({@code /metrics}, {@code /ready}, peers' routing digests; {@code server.adminHost} and
 * {@code security.adminToken} guard it as they guard the gateway's). With {@code server.tls} the ext_proc port speaks
 * TLS (optionally mutual), as GIE's picker does with {@code --secure-serving}; the health-only port stays plaintext,
 * since Kubernetes' gRPC probes cannot speak TLS. {@link #reload} applies a new configuration live.
 */
public final class EndpointPickerServer implements LiveServer {

    private static final Logger log = LoggerFactory.getLogger(EndpointPickerServer.class);

    /** GIE's ext_proc port. */
    public static final int DEFAULT_PORT = 9002;
    public static final String LIVENESS = "liveness";
    public static final String READINESS = "readiness";
    public static final String EXT_PROC_SERVICE = ExternalProcessorGrpc.SERVICE_NAME;
    /** Room for gRPC framing and headers above the largest body (BUFFERED mode sends the body in one message). */
    private static final int MESSAGE_OVERHEAD = 64 * 1024;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /**
     * @param port       the ext_proc port (0: OS-chosen)
     * @param healthPort a second port with only gRPC health on it (llm-d's 9003), or -1 for none; health is always
     *                   on the ext_proc port too
     * @param threads    event loops running the request path (default: one per core)
     */
    public record Options(int port, int healthPort, int threads) {

        public static Options defaults() {
            return new Options(DEFAULT_PORT, -1, Runtime.getRuntime().availableProcessors());
        }

        public Options withPort(int newPort) {
            return new Options(newPort, healthPort, threads);
        }
    }

    private final EventLoopGroup loops;
    private final GatewayMetrics metrics;
    private final RoutingState routing;
    private final PeerSyncService peers;
    private final AccessControl access;
    /** TLS on the ext_proc port, or null (plaintext). */
    private final ServerTls tls;
    private final HealthStatusManager health = new HealthStatusManager();
    private final Server grpc;
    private final Server healthServer;
    private final Channel admin;
    private final ScheduledFuture<?> readinessCheck;
    /** The audit log, or null; its settings are read at start. */
    private final dev.jetway.gateway.audit.AuditLog audit;
    private final dev.jetway.gateway.config.AuditSettings auditSettings;
    /** Tracing (off unless configured); read at start. */
    private final Tracing tracing;
    private final dev.jetway.gateway.config.TracingSettings tracingSettings;
    private volatile boolean ready;
    private final java.time.Duration drainTimeout;
    private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();

    private EndpointPickerServer(GatewayConfig config, Options options, Tracing givenTracing)
            throws InterruptedException {
        Transport transport = Transport.best();
        this.loops = transport.newGroup(options.threads(), "jetway-epp");
        this.metrics = new GatewayMetrics();
        this.routing = new RoutingState(metrics, transport.socketChannel());
        this.peers = new PeerSyncService(routing, metrics);
        this.drainTimeout = config.server().drainTimeout();
        // the gateway's /ready and this picker's readiness wait for the same thing
        routing.readiness().addGate(() -> PoolReadiness.waitingFor(routing.table()));
        try {
            this.access = new AccessControl(config, KubernetesDiscovery::client);
        } catch (RuntimeException e) {
            routing.close();
            metrics.close();
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        routing.readiness().addGate(access::waitingFor);
        routing.outliers().upstreamKeys(access::upstreamKey); // health checks carry the pools' keys
        peers.adminToken(() -> access.adminToken() == null ? null : access.adminToken().value());
        Server started = null;
        Server startedHealth = null;
        Channel adminChannel = null;
        dev.jetway.gateway.audit.AuditLog auditLog = null;
        ServerTls serverTls = null;
        Tracing requestTracing = givenTracing;
        try {
            serverTls = config.server().tls() == null ? null : new ServerTls(config.server().tls(), config.baseDir());
            if (requestTracing == null) {
                requestTracing = Tracing.start(config.tracingOn());
            }
            routing.apply(config);
            warnAboutHostnames(config);
            int maxBody = config.server().maxBodyBytes();
            auditLog = config.audit() == null ? null
                    : dev.jetway.gateway.audit.AuditLog.start(config.audit(), config.baseDir(), metrics);
            ProxyContext proxyContext = new ProxyContext(routing, metrics, new RequestParser(maxBody), maxBody,
                    config.server().debugHeader(), auditLog, access, config.server().maxHeaderBytes(),
                    config.server().writeStallTimeout(), requestTracing);
            ExtProcMetrics eppMetrics = new ExtProcMetrics(metrics);
            RequestPath path = RequestPath.endpointPicker(proxyContext, new RouteStage(metrics, eppMetrics,
                    config.server().debugHeader(), access));
            ExtProcContext context = new ExtProcContext(path, routing, metrics, eppMetrics, maxBody);
            health.setStatus(LIVENESS, ServingStatus.SERVING);
            health.setStatus(READINESS, ServingStatus.NOT_SERVING);
            health.setStatus(EXT_PROC_SERVICE, ServingStatus.NOT_SERVING);
            String host = config.server().host();
            InetSocketAddress extProcAddress = new InetSocketAddress(host, options.port());
            started = listen(host, options.port(), (serverTls == null ? NettyServerBuilder.forAddress(extProcAddress)
                    : NettyServerBuilder.forAddress(extProcAddress, ExtProcTls.credentials(serverTls)))
                    // messages are handed to the stream's event loop at once: no second executor hop
                    .directExecutor()
                    .maxInboundMessageSize(maxBody + MESSAGE_OVERHEAD)
                    // Envoy may ping its long-lived ext_proc connections
                    .permitKeepAliveTime(10, TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true)
                    .addService(new ExtProcService(context, loops))
                    .addService(health.getHealthService())
                    .build());
            if (options.healthPort() >= 0) {
                // plaintext whatever the ext_proc port speaks: the kubelet's gRPC probes have no TLS
                startedHealth = listen(host, options.healthPort(), NettyServerBuilder.forAddress(
                        new InetSocketAddress(host, options.healthPort()))
                        .directExecutor()
                        .addService(health.getHealthService())
                        .build());
            }
            if (config.server().adminPort() >= 0) {
                var bound = new ServerBootstrap()
                        .group(loops)
                        .channel(transport.serverChannel())
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childHandler(new AdminChannelInitializer(config.server().adminMaxConnections(),
                                config.server().clientIdleTimeout(), config.server().headerReadTimeout(), metrics,
                                routing, peers, access))
                        .bind(config.server().adminHost(), config.server().adminPort()).await();
                if (!bound.isSuccess()) {
                    throw cannotListen(config.server().adminHost(), config.server().adminPort(), bound.cause());
                }
                adminChannel = bound.channel();
            }
        } catch (RuntimeException | InterruptedException e) {
            stopAll(started, startedHealth, adminChannel);
            if (serverTls != null) {
                serverTls.close();
            }
            if (auditLog != null) {
                auditLog.close();
            }
            if (requestTracing != null) {
                requestTracing.close();
            }
            throw e;
        }
        this.audit = auditLog;
        this.tls = serverTls;
        this.tracing = requestTracing;
        this.tracingSettings = config.tracing();
        this.auditSettings = config.audit();
        this.grpc = started;
        this.healthServer = startedHealth;
        this.admin = adminChannel;
        peers.configure(config.peers()); // once the admin port takes peers' digests
        this.readinessCheck = loops.scheduleAtFixedRate(this::checkReadiness, 0, 100, TimeUnit.MILLISECONDS);
        log.info("endpoint picker listening on {} (ext_proc and gRPC health, {}{}; admin {} on {}), transport {}",
                port(), tls == null ? "plaintext" : tls.settings().describe(),
                healthServer == null ? "" : "; health alone, plaintext, on " + healthPort(), adminPort(),
                config.server().adminHost(), transport.name());
        if (tls != null && healthServer == null) {
            log.info("gRPC health on the ext_proc port speaks TLS too, which Kubernetes' gRPC probes cannot: probe a "
                    + "plaintext health port of its own (--health-port)");
        }
    }

    public static EndpointPickerServer start(GatewayConfig config, Options options) throws InterruptedException {
        return new EndpointPickerServer(config, options, null);
    }

    /** With {@code tracing} instead of the one {@code config.tracing} describes (tests); closed when it stops. */
    public static EndpointPickerServer start(GatewayConfig config, Options options, Tracing tracing)
            throws InterruptedException {
        return new EndpointPickerServer(config, options, tracing);
    }

    private static Server listen(String host, int port, Server server) {
        try {
            return server.start();
        } catch (IOException e) {
            throw cannotListen(host, port, e);
        }
    }

    /** As the gateway says it: the address, and why, never a bind exception's stack trace. */
    private static IllegalStateException cannotListen(String host, int port, Throwable cause) {
        String why = null;
        for (Throwable t = cause; t != null && why == null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("Address already in use")) {
                why = "the port is already in use";
            }
        }
        return new IllegalStateException("cannot listen on " + host + ":" + port + ": "
                + (why != null ? why : String.valueOf(cause.getMessage())), cause);
    }

    /**
     * Envoy's original-destination cluster routes on an IP: a host name in {@code x-gateway-destination-endpoint}
     * would fail every request, so say so at start.
     */
    private static void warnAboutHostnames(GatewayConfig config) {
        for (PoolConfig pool : config.pools()) {
            for (EndpointConfig e : pool.endpoints()) {
                String host = HostPort.parse(e.address()).host();
                if (!IPV4.matcher(host).matches() && host.indexOf(':') < 0) {
                    log.warn("pool {} endpoint {} is not ip:port: Envoy's ORIGINAL_DST cluster cannot route to a host "
                            + "name the picker sends in x-gateway-destination-endpoint", pool.name(), e.address());
                }
            }
        }
    }

    private void checkReadiness() {
        String waiting = routing.readiness().notReadyReason();
        boolean now = waiting == null;
        if (now != ready) {
            ready = now;
            ServingStatus status = now ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
            health.setStatus(READINESS, status);
            health.setStatus(EXT_PROC_SERVICE, status);
            if (now) {
                log.info("endpoint picker ready: every pool's endpoints have been scraped");
            } else {
                log.warn("endpoint picker not ready: {}", waiting);
            }
        }
    }

    /** Applies a new configuration without dropping traffic (ports and limits need a restart). */
    public void reload(GatewayConfig config) {
        if (!java.util.Objects.equals(auditSettings, config.audit())) {
            log.warn("the audit settings changed: they take effect when the endpoint picker restarts");
        }
        if (!java.util.Objects.equals(tls == null ? null : tls.settings(), config.server().tls())) {
            log.warn("server.tls changed: it takes effect when the endpoint picker restarts (the files it names are "
                    + "re-read whenever their content changes)");
        }
        if (!java.util.Objects.equals(tracingSettings, config.tracing())) {
            log.warn("the tracing settings changed: they take effect when the endpoint picker restarts");
        }
        access.apply(config);
        routing.apply(config);
        peers.configure(config.peers());
        warnAboutHostnames(config);
    }

    /** Whether {@code readiness} reports SERVING. */
    public boolean ready() {
        return ready;
    }

    public int port() {
        return grpc.getPort();
    }

    /** The ext_proc port's TLS, or null when it speaks plaintext. */
    public ServerTls tls() {
        return tls;
    }

    /** The health-only port, or -1. */
    public int healthPort() {
        return healthServer == null ? -1 : healthServer.getPort();
    }

    /** The admin port, or -1 when the admin server is off. */
    public int adminPort() {
        return admin == null ? -1 : ((InetSocketAddress) admin.localAddress()).getPort();
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public RoutingState routing() {
        return routing;
    }

    /** The routing-digest exchange with peer replicas (idle without {@code peers}). */
    public PeerSyncService peers() {
        return peers;
    }

    /**
     * Drains for shutdown: readiness turns NOT_SERVING, the gRPC server stops taking calls (a GOAWAY to Envoy, whose
     * new requests go to the other pickers, or follow its failure mode) and the ext_proc streams in flight, each
     * carrying one request, run on for {@code server.drainTimeout}; those still open then are cancelled.
     *
     * @return whether every stream finished in time
     */
    @Override
    public boolean drain() {
        if (!draining.compareAndSet(false, true)) {
            return true;
        }
        routing.readiness().drain();
        checkReadiness();
        grpc.shutdown();
        log.info("draining: no new ext_proc streams; up to {} ms for those in flight", drainTimeout.toMillis());
        try {
            if (grpc.awaitTermination(drainTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                log.info("drained: every ext_proc stream finished");
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.warn("drain time ({} ms) ran out with ext_proc streams still open: cancelling them",
                drainTimeout.toMillis());
        grpc.shutdownNow();
        return false;
    }

    @Override
    public void close() {
        readinessCheck.cancel(false);
        peers.close();
        health.enterTerminalState();
        grpc.shutdown();
        if (healthServer != null) {
            healthServer.shutdown();
        }
        // requests still waiting in flow control are answered (shutting down) before the streams go
        routing.close();
        try {
            if (!grpc.awaitTermination(1, TimeUnit.SECONDS)) {
                grpc.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            grpc.shutdownNow();
        }
        if (healthServer != null) {
            healthServer.shutdownNow();
        }
        if (admin != null) {
            admin.close().awaitUninterruptibly();
        }
        access.close();
        if (tls != null) {
            tls.close();
        }
        metrics.close();
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        if (audit != null) {
            audit.close(); // last: requests ended by the shutdown are still recorded
        }
        tracing.close(); // and their spans exported
        log.info("endpoint picker stopped");
    }

    private void stopAll(Server started, Server startedHealth, Channel adminChannel) {
        peers.close();
        if (started != null) {
            started.shutdownNow();
        }
        if (startedHealth != null) {
            startedHealth.shutdownNow();
        }
        if (adminChannel != null) {
            adminChannel.close();
        }
        routing.close();
        access.close();
        metrics.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
