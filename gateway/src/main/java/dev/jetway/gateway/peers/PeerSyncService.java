package dev.jetway.gateway.peers;

import dev.jetway.gateway.config.PeerSettings;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.routing.GatewayPool;
import dev.jetway.gateway.routing.RoutingState;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.sync.PeerSync;
import dev.jetway.scheduler.sync.RoutingDigest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Tags;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active-active, the gateway's half: every {@code peers.interval} each pool's {@link PeerSync} digest (what this
 * replica routed since the last one, and its in-flight counts) is posted to every peer's admin port
 * ({@value #PATH}); digests peers post here are applied to the pool of the same name. Sends are asynchronous with
 * a deadline, so a slow or dead peer costs a failed send and never holds up routing; a peer silent for
 * {@code peers.timeout} is forgotten. Idle (no thread) until peers are configured.
 *
 * <p>A pool's {@link PeerSync} is bound to its scheduler, from the moment peers are configured or the configuration
 * is reloaded (a reload that rebuilds the scheduler starts a new one).
 */
public final class PeerSyncService implements AutoCloseable {

    /** Where peers post digests, on the admin port. */
    public static final String PATH = "/jetway/peers/digest";
    /** The sender's id (request) and the receiver's (response): a replica that reaches itself stops doing so. */
    public static final String ID_HEADER = "x-jetway-peer-id";
    /** The sender's wall clock when it sent, in epoch milliseconds: the receiver's lag metric. */
    public static final String SENT_HEADER = "x-jetway-peer-sent-ms";

    private static final Logger log = LoggerFactory.getLogger(PeerSyncService.class);

    private final RoutingState routing;
    private final GatewayMetrics metrics;
    private final String self;
    private final Map<String, Binding> bindings = new HashMap<>();
    private final Set<String> selfAddresses = ConcurrentHashMap.newKeySet();
    private final PeerAddresses addresses = new PeerAddresses();
    private final Counter received;
    private final Counter rejected;
    private final DistributionSummary lag;
    private final Map<String, Counter> sent = new ConcurrentHashMap<>();
    private final Map<String, Counter> failed = new ConcurrentHashMap<>();
    private volatile PeerSettings settings;
    private ScheduledExecutorService timer;
    private ScheduledFuture<?> tick;
    private HttpClient client;
    /** The admin token peers' admin ports ask for (the same Secret on every replica), or null. */
    private volatile java.util.function.Supplier<String> adminToken = () -> null;

    /** One pool's sync, bound to the scheduler it journals. */
    private record Binding(Scheduler scheduler, PeerSync sync) {
    }

    public PeerSyncService(RoutingState routing, GatewayMetrics metrics) {
        this.routing = routing;
        this.metrics = metrics;
        this.self = UUID.randomUUID().toString();
        var registry = metrics.registry();
        received = Counter.builder("jetway_peer_digests_received")
                .description("Digest parts peers posted to this replica").register(registry);
        rejected = Counter.builder("jetway_peer_digests_rejected")
                .description("Digest parts that could not be read or named no pool here").register(registry);
        lag = DistributionSummary.builder("jetway_peer_digest_lag_seconds")
                .description("Time from a peer sending a digest to this replica applying it (peers' wall clocks)")
                .baseUnit("seconds").serviceLevelObjectives(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5)
                .register(registry);
    }

    /** Where the admin token sent with digests comes from (peers' admin ports need it when they have one). */
    public void adminToken(java.util.function.Supplier<String> token) {
        this.adminToken = token;
    }

    /** This replica's id in digests, new at every start. */
    public String self() {
        return self;
    }

    /** Starts, changes or (null) stops the exchange. */
    public synchronized void configure(PeerSettings next) {
        PeerSettings previous = settings;
        settings = next;
        if (next == null) {
            stopTimer();
            bindings.values().forEach(b -> b.sync().close());
            bindings.clear();
            if (client != null) {
                client.close();
                client = null;
            }
            return;
        }
        if (client == null || previous == null || !previous.publishTimeout().equals(next.publishTimeout())) {
            if (client != null) {
                client.shutdown(); // sends in flight finish on it
            }
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(next.publishTimeout()).build();
        }
        if (previous == null || !previous.interval().equals(next.interval())) {
            stopTimer();
            timer = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("jetway-peer-sync").daemon(true).factory());
            long ms = Math.max(1, next.interval().toMillis());
            tick = timer.scheduleAtFixedRate(this::safeTick, ms, ms, TimeUnit.MILLISECONDS);
        }
        // journal every pool's routing from now on, not from the first interval: a request routed before it would
        // never reach the peers
        for (GatewayPool pool : routing.table().pools()) {
            bindingFor(pool);
        }
        log.info("peer sync on: every {} ms to {}{} (id {})", next.interval().toMillis(), next.addresses(),
                next.dns() == null ? "" : " and " + next.dns(), self);
    }

    private void stopTimer() {
        if (tick != null) {
            tick.cancel(false);
            tick = null;
        }
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    private void safeTick() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.warn("peer sync: {}", e.toString());
        }
    }

    /** One interval: forget silent peers, then send every pool's digest to every peer. */
    void tick() {
        PeerSettings s = settings;
        if (s == null) {
            return;
        }
        List<String> targets = addresses.resolve(s).stream().filter(a -> !selfAddresses.contains(a)).toList();
        long now = System.nanoTime();
        for (GatewayPool pool : routing.table().pools()) {
            List<Endpoint> endpoints = endpointsOf(pool);
            PeerSync sync = bindingFor(pool).sync();
            sync.expire(endpoints, now, s.timeout().toNanos());
            RoutingDigest digest = sync.export(endpoints);
            List<byte[]> parts = DigestCodec.encode(pool.name(), digest);
            for (String target : targets) {
                for (byte[] part : parts) {
                    send(target, part, s.publishTimeout());
                }
            }
        }
    }

    private void send(String target, byte[] body, Duration deadline) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://" + target + PATH)).timeout(deadline)
                .header("content-type", "application/octet-stream").header(ID_HEADER, self)
                .header(SENT_HEADER, Long.toString(System.currentTimeMillis()));
        String token = adminToken.get();
        if (token != null) {
            builder.header("authorization", "Bearer " + token);
        }
        HttpRequest request = builder.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error == null && response.statusCode() / 100 == 2) {
                if (self.equals(response.headers().firstValue(ID_HEADER).orElse(null))) {
                    selfAddresses.add(target); // the headless Service's list includes this replica
                    return;
                }
                counter(sent, "jetway_peer_digests_sent", "Digest parts a peer accepted", target).increment();
            } else {
                counter(failed, "jetway_peer_digest_send_failures",
                        "Digest parts not delivered (peer down, slow or refusing)", target).increment();
                log.debug("peer sync: {} did not take a digest: {}", target,
                        error != null ? error.toString() : "HTTP " + response.statusCode());
            }
        });
    }

    private Counter counter(Map<String, Counter> counters, String name, String description, String peer) {
        return counters.computeIfAbsent(peer, p -> Counter.builder(name).description(description)
                .tags(Tags.of("peer", p)).register(metrics.registry()));
    }

    /**
     * A peer posted a digest part: applies it to the pool it names. Returns false when the body is not a digest or
     * names no pool here (the peers' configs differ).
     *
     * @param sentMillis the sender's clock at sending, or -1 when unknown
     */
    public boolean receive(byte[] body, long sentMillis) {
        received.increment();
        DigestCodec.Received r;
        try {
            r = DigestCodec.decode(body);
        } catch (IllegalArgumentException e) {
            rejected.increment();
            log.debug("peer sync: unreadable digest: {}", e.getMessage());
            return false;
        }
        GatewayPool pool = null;
        for (GatewayPool p : routing.table().pools()) {
            if (p.name().equals(r.pool())) {
                pool = p;
            }
        }
        if (pool == null || settings == null) {
            rejected.increment();
            return false;
        }
        bindingFor(pool).sync().apply(r.digest(), endpointsOf(pool), System.nanoTime());
        if (sentMillis > 0) {
            lag.record(Math.max(0, System.currentTimeMillis() - sentMillis) / 1e3);
        }
        return true;
    }

    /** The pool's sync, new when the pool's scheduler was rebuilt (a reload); its meters registered once. */
    private synchronized Binding bindingFor(GatewayPool pool) {
        Binding b = bindings.get(pool.name());
        if (b != null && b.scheduler() == pool.scheduler()) {
            return b;
        }
        if (b != null) {
            b.sync().close();
        }
        Binding next = new Binding(pool.scheduler(), new PeerSync(pool.scheduler(), self));
        if (b == null) {
            registerMeters(pool.name());
        }
        bindings.put(pool.name(), next);
        return next;
    }

    private void registerMeters(String pool) {
        Tags tags = Tags.of("name", pool);
        metrics.gauge("jetway_peers_live", "Peers this replica has heard from within peers.timeout", tags,
                () -> statsOf(pool, s -> (long) s.livePeers()));
        metrics.functionCounter("jetway_peer_digests_applied", "Peer digest parts applied to the pool", tags, this,
                svc -> svc.statsOf(pool, s -> s.stats().applied()));
        metrics.functionCounter("jetway_peer_records_applied",
                "Routing records from peers recorded in the pool's prefix index", tags, this,
                svc -> svc.statsOf(pool, s -> s.stats().recordsApplied()));
        metrics.functionCounter("jetway_peer_records_ignored",
                "Routing records from peers for a plugin or endpoint this replica does not have", tags, this,
                svc -> svc.statsOf(pool, s -> s.stats().recordsIgnored()));
        metrics.functionCounter("jetway_peer_digests_exported", "Digests this replica took of the pool", tags, this,
                svc -> svc.statsOf(pool, s -> s.stats().exported()));
    }

    /** A pool's current sync's statistic (a counter restarts when a reload rebuilds the scheduler). */
    private synchronized long statsOf(String pool, java.util.function.ToLongFunction<PeerSync> f) {
        Binding b = bindings.get(pool);
        return b == null ? 0 : f.applyAsLong(b.sync());
    }

    /** The pool's sync (tests, status). */
    public PeerSync syncOf(GatewayPool pool) {
        return bindingFor(pool).sync();
    }

    private static List<Endpoint> endpointsOf(GatewayPool pool) {
        return pool.endpoints().stream().map(GatewayEndpoint::endpoint).toList();
    }

    @Override
    public synchronized void close() {
        configure(null);
    }
}
