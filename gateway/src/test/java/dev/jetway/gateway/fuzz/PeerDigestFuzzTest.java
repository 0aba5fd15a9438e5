package dev.jetway.gateway.fuzz;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.peers.PeerSyncService;
import dev.jetway.gateway.routing.GatewayPool;
import dev.jetway.gateway.routing.RoutingState;
import dev.jetway.scheduler.InFlightCounts;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Tag;

/**
 * A routing digest is what a peer replica (active-active) posts to the admin port's {@value PeerSyncService#PATH}: any
 * body is applied to the pool it names or refused ({@link PeerSyncService#receive} returns false), never an
 * exception, never an allocation sized by a claimed count (the fuzz profile's small heap would fail the run), and
 * never an in-flight load below zero on an endpoint (a negative count would make it look emptier than idle and draw
 * every request).
 */
@Tag("fuzz")
class PeerDigestFuzzTest {

    /**
     * One pool of two endpoints nothing listens on (their first scrapes fail quietly: the only connections Jazzer's
     * SSRF detector allows here, before any is made), then silence: scrapes an hour apart, no health checks, peer sync
     * on but never sending. Jazzer resets the allowed connections between the inputs of a regression run, so a
     * background scrape made during a later input was reported as a finding (CI, once in three runs).
     */
    private static RoutingState routing;
    private static PeerSyncService peers;

    private static void start() {
        BugDetectors.allowNetworkConnections((host, port) -> port == 7 || port == 9);
        if (routing != null) {
            return;
        }
        String yaml = """
                pools:
                  - name: p
                    models: [m]
                    endpointPicker: jetway-approximate
                    healthCheck: {enabled: false}
                    endpoints:
                      - {address: "127.0.0.1:9"}
                      - {address: "127.0.0.1:7"}
                peers: {addresses: ["127.0.0.1:9"], interval: 1h, timeout: 2h}
                dataLayer: {scrapeInterval: 1h}
                """;
        GatewayConfig config = ConfigLoader.parse(yaml, "fuzz");
        GatewayMetrics metrics = new GatewayMetrics();
        routing = new RoutingState(metrics, NioSocketChannel.class);
        routing.apply(config);
        peers = new PeerSyncService(routing, metrics);
        peers.configure(config.peers());
        // the first scrapes happen now, while the connections are allowed; the next are an hour away
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!routing.table().pools().getFirst().endpoints().stream().allMatch(e -> e.health().probed())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the fixture's endpoints were never scraped");
            }
            Thread.onSpinWait();
        }
        try {
            Thread.sleep(500); // the models read that follows a first scrape (to a refused port: microseconds)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @FuzzTest(maxDuration = "1m")
    void anyDigestIsAppliedOrRefused(byte[] body) {
        start();
        GatewayPool pool = routing.table().pools().getFirst();
        long applied = peers.syncOf(pool).stats().applied();
        boolean accepted = peers.receive(body, -1);
        if (accepted != (peers.syncOf(pool).stats().applied() == applied + 1)) {
            throw new AssertionError((accepted ? "accepted but not applied: " : "applied but refused: ")
                    + HexFormat.of().formatHex(body));
        }
        for (GatewayEndpoint e : pool.endpoints()) {
            InFlightCounts load = e.endpoint().peerInFlight();
            if (load.requests() < 0 || load.tokens() < 0 || load.contextTokens() < 0 || load.prefills() < 0) {
                throw new AssertionError("peers' in-flight load on " + e.endpoint().id() + " is " + load + " after "
                        + new String(body, StandardCharsets.ISO_8859_1));
            }
        }
    }
}
