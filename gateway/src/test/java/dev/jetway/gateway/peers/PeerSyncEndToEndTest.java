package dev.jetway.gateway.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.routing.GatewayPool;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.sync.PeerSync;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateways in one JVM over four simulated replicas, each the other's peer (active-active): a prefix one gateway
 * routed is routed to the same replica by the other, each sees the other's requests in flight, and closing one
 * leaves the other routing without an error.
 */
class PeerSyncEndToEndTest {

    private static final String MODEL = "sim-model";
    private SimCluster sim;
    private GatewayHarness a;
    private GatewayHarness b;
    private String baseYaml;

    @BeforeEach
    void start() throws Exception {
        sim = SimCluster.start(SimOptions.defaults(MODEL).withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100"), 4);
        List<String> addresses = sim.replicas().stream().map(r -> "127.0.0.1:" + r.httpPort()).toList();
        baseYaml = GatewayHarness.yaml("jetway-approximate", "", addresses).replace("models: [m]",
                "models: [" + MODEL + "]");
        a = GatewayHarness.start(baseYaml);
        b = GatewayHarness.start(baseYaml);
        // the admin ports are known once both run: each is told the other's (a reload, as a config change would)
        a.server.reload(withPeer(b.server.adminPort()));
        b.server.reload(withPeer(a.server.adminPort()));
    }

    private GatewayConfig withPeer(int adminPort) {
        return ConfigLoader.parse(baseYaml + "peers: {addresses: [\"127.0.0.1:" + adminPort
                + "\"], interval: 50ms, timeout: 1s, publishTimeout: 500ms}\n", "test");
    }

    @AfterEach
    void stop() {
        if (a != null) {
            a.close();
        }
        b.close();
        sim.close();
    }

    /**
     * A system prompt of 2,000 words unique to {@code topic}: ~100 of the prefix index's 64-token blocks, so that a
     * hit saves far more than the latency cost's indifference band and load noise on a busy machine can offset.
     */
    private static String prompt(int topic, String question) {
        String system = IntStream.range(0, 2_000).mapToObj(i -> "topic" + topic + "word" + (i % 37))
                .collect(Collectors.joining(" "));
        return system + " question: " + question;
    }

    private static String body(String prompt, int maxTokens, boolean stream) {
        return "{\"model\":\"" + MODEL + "\",\"prompt\":\"" + prompt + "\",\"max_tokens\":" + maxTokens
                + ",\"ignore_eos\":true,\"stream\":" + stream + "}";
    }

    private static String endpointOf(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.headers().firstValue("x-jetway-endpoint").orElseThrow();
    }

    private static PeerSync syncOf(GatewayHarness g) {
        GatewayPool pool = g.server.routing().table().pools().getFirst();
        return g.server.peers().syncOf(pool);
    }

    @Test
    void aPrefixOneGatewayRoutedGoesToTheSameReplicaThroughTheOther() throws Exception {
        java.util.Map<GatewayHarness, Integer> routed = new java.util.HashMap<>(java.util.Map.of(a, 0, b, 0));
        for (int topic = 0; topic < 6; topic++) {
            // alternate: even topics start on A, odd ones on B
            GatewayHarness first = topic % 2 == 0 ? a : b;
            GatewayHarness second = topic % 2 == 0 ? b : a;
            String where = endpointOf(first.post("/v1/completions", body(prompt(topic, "one"), 2, false)));
            // every request routed is one record for the peer: wait for all of the first gateway's, this one's too
            // (waiting for "one more" could be met by the record of the previous topic's second request)
            int sent = routed.merge(first, 1, Integer::sum);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> syncOf(second).stats().recordsApplied() >= sent);
            String there = endpointOf(second.post("/v1/completions", body(prompt(topic, "two"), 2, false)));
            routed.merge(second, 1, Integer::sum);
            assertThat(there).as("topic %d: routed by the other gateway", topic).isEqualTo(where);
        }
        assertThat(a.metricsPage()).contains("jetway_peer_records_applied_total{name=\"p\"}")
                .contains("jetway_peers_live{name=\"p\"} 1.0");
    }

    @Test
    void eachGatewayCountsThePeersRequestsInFlight() throws Exception {
        HttpRequest slow = HttpRequest.newBuilder(a.uri("/v1/completions")).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(prompt(9, "long"), 400, true))).build();
        CompletableFuture<HttpResponse<String>> running = a.http.sendAsync(slow, HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(5)).until(() -> b.server.routing().table().pools().getFirst().endpoints()
                .stream().mapToInt(e -> e.endpoint().peerInFlight().requests()).sum() == 1);
        assertThat(running.get().statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.server.routing().table().pools().getFirst().endpoints()
                .stream().allMatch(e -> e.endpoint().peerInFlight().isZero()));
        // B's own count stays its own: the gauge of what this gateway has in flight does not include A's
        for (var e : b.server.routing().table().pools().getFirst().endpoints()) {
            Endpoint endpoint = e.endpoint();
            assertThat(endpoint.ownInFlight().requests()).isZero();
        }
    }

    @Test
    void closingOneGatewayLeavesTheOtherRoutingAndForgettingIt() throws Exception {
        await().atMost(Duration.ofSeconds(5)).until(() -> syncOf(b).livePeers() == 1);
        a.close();
        a = null;
        for (int i = 0; i < 8; i++) {
            endpointOf(b.post("/v1/completions", body(prompt(20 + i % 2, "after " + i), 2, false)));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> syncOf(b).livePeers() == 0);
        assertThat(b.metricsPage()).contains("jetway_peer_digest_send_failures_total");
    }
}
