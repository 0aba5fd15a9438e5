package dev.jetway.gateway.kvevents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.gateway.testing.KvEventsLive;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import dev.jetway.sim.SimReplica;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Precise prefix-cache routing end to end: simulated vLLM replicas publish KV events over ZMQ, the gateway
 * subscribes, indexes them and routes on them.
 */
class PreciseRoutingEndToEndTest {

    private static final String MODEL = "sim-model";
    private static SimCluster sim;
    private static GatewayHarness gw;

    @BeforeAll
    static void start() throws Exception {
        sim = SimCluster.start(SimOptions.defaults(MODEL).withBindHost("127.0.0.1").withPort(0)
                .withKvEvents("tcp://127.0.0.1:0").withKvEventsReplay("tcp://127.0.0.1:0")
                .withProfile("llama-3.1-8b-h100"), 3);
        gw = GatewayHarness.start(yaml("precise"));
        awaitSubscribed(gw, 3);
    }

    @AfterAll
    static void stop() {
        gw.close();
        sim.close();
    }

    /** One pool over the simulated replicas, each with its KV-events and replay addresses. */
    static String yaml(String picker) {
        String endpoints = sim.replicas().stream()
                .map(r -> "      - {address: \"127.0.0.1:" + r.httpPort() + "\", kvEvents: \"" + r.kvEventsEndpoint()
                        + "\", kvEventsReplay: \"" + r.kvEventsReplayEndpoint() + "\"}")
                .collect(Collectors.joining("\n"));
        return yaml(picker, endpoints);
    }

    /** One pool with the given endpoint list (YAML lines). */
    static String yaml(String picker, String endpoints) {
        return "server: {port: 0, adminPort: 0, host: 127.0.0.1}\n"
                + "upstream: {connectTimeout: 500ms, retryBackoff: 1ms}\n"
                + "dataLayer: {scrapeInterval: 20ms, scrapeTimeout: 300ms}\n"
                + "pools:\n  - name: p\n    models: [" + MODEL + "]\n"
                + "    endpointPicker: " + picker + "\n"
                + "    endpoints:\n" + endpoints + "\n";
    }

    static void awaitSubscribed(GatewayHarness g, int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> metric(g, "jetway_kv_events_subscribers") == n);
    }

    static double metric(GatewayHarness g, String name) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{pool=\"p\"} (\\S+)$").matcher(g.metricsPage());
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    static String body(String prompt) {
        return "{\"model\":\"" + MODEL + "\",\"max_tokens\":2,\"prompt\":\"" + prompt + "\"}";
    }

    static String routed(GatewayHarness g, String prompt) throws Exception {
        HttpResponse<String> r = g.post("/v1/completions", body(prompt));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.headers().firstValue("x-jetway-endpoint").orElseThrow();
    }

    static int blocksHeld(GatewayHarness g, String endpoint, String prompt) {
        PrecisePrefixIndex index = g.server.routing().kvEvents().index("p");
        return index.match(MODEL, null, null, SimpleWordTokenizer.instance().encode(prompt)).blocks(endpoint);
    }

    static SimReplica replica(String endpoint) {
        return sim.replicas().stream().filter(r -> endpoint.endsWith(":" + r.httpPort())).findFirst().orElseThrow();
    }

    /**
     * Waits until {@code g} has received a KV-event message from every replica: only then is each subscription
     * known to be live (a ZMQ subscriber misses whatever was published before it joined).
     */
    /** Waits until {@code g} has heard from every replica's publisher (see {@link KvEventsLive}). */
    static void awaitLiveSubscriptions(GatewayHarness g) {
        KvEventsLive.await(g.server.routing().kvEvents().index("p"), sim.replicas(), MODEL);
    }

    @Test
    void prefixGroupsStayOnTheReplicaThatHoldsThemAndRoutingFollowsAReset() throws Exception {
        awaitSubscribed(gw, 3);
        awaitLiveSubscriptions(gw);
        int groups = 4;
        List<String> systems = new ArrayList<>();
        Map<Integer, String> home = new HashMap<>();
        for (int g = 0; g < groups; g++) {
            systems.add(FillerText.sequence(160, 1000 * (g + 1)));
            home.put(g, routed(gw, systems.get(g) + FillerText.sequence(8, 7)));
        }
        // the engines report the blocks: the index holds each group's 10 prefix blocks where it was served
        for (int g = 0; g < groups; g++) {
            String prefix = systems.get(g);
            String where = home.get(g);
            await().atMost(Duration.ofSeconds(5)).until(() -> blocksHeld(gw, where, prefix) == 10);
        }
        for (int round = 0; round < 3; round++) {
            for (int g = 0; g < groups; g++) {
                String question = FillerText.sequence(6, 50 + 10 * round + g);
                assertThat(routed(gw, systems.get(g) + question)).as("group %d round %d", g, round)
                        .isEqualTo(home.get(g));
            }
        }
        assertThat(metric(gw, "llm_d_epp_kv_cache_index_lookup_hits_total")).isGreaterThanOrEqualTo(12);

        // the replica holding group 0 is reset (AllBlocksCleared); another replica serves the prefix directly
        String before = home.get(0);
        String other = sim.replicas().stream().map(r -> "127.0.0.1:" + r.httpPort())
                .filter(e -> !e.equals(before)).findFirst().orElseThrow();
        replica(before).reset().join();
        HttpResponse<String> direct = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://" + other + "/v1/completions")).header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body(systems.get(0) + " direct"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(direct.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> blocksHeld(gw, before, systems.get(0)) == 0
                && blocksHeld(gw, other, systems.get(0)) == 10);
        assertThat(routed(gw, systems.get(0) + FillerText.sequence(5, 900))).isEqualTo(other);

        // every routed request's new blocks came back under Jetway's keys, also on this long-lived gateway that other
        // gateways' traffic to the same replicas reaches (their blocks are never expectations of this one)
        PrecisePrefixIndex index = gw.server.routing().kvEvents().index("p");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(index.poolParity())
                .as(() -> "endpoints " + index.endpointStats() + " per-endpoint " + sim.replicas().stream()
                        .map(r -> index.parity(index.endpointId("127.0.0.1:" + r.httpPort()).getAsInt()).toString())
                        .toList())
                .satisfies(r -> assertThat(r.samples()).isPositive())
                .satisfies(r -> assertThat(r.ratio()).isEqualTo(1.0)));
        assertThat(metric(gw, "jetway_kv_events_malformed_total")).isZero();
        assertThat(metric(gw, "jetway_kv_events_applied_total")).isPositive();
        assertThat(metric(gw, "jetway_kv_index_entries")).isPositive();
        // the replicas evict tail first, so every lookup bisected and the audit never found a block past a gap
        index.expireDue();
        assertThat(metric(gw, "jetway_kv_index_gaps_found_total")).isZero();
        assertThat(metric(gw, "jetway_kv_index_gapped_endpoints")).isZero();
        assertThat(metric(gw, "jetway_kv_events_silent_endpoints")).isZero();
    }

    @Test
    void anEndpointWhosePublisherIsNeverHeardIsReportedSilent() throws Exception {
        SimReplica replica = sim.replicas().getFirst();
        // nothing listens on port 1: the subscription never hears a message, and routing goes on regardless
        String deaf = "      - {address: \"127.0.0.1:" + replica.httpPort() + "\", kvEvents: \"tcp://127.0.0.1:1\"}";
        String picker = "{apiVersion: llm-d.ai/v1alpha1, kind: EndpointPickerConfig, plugins: ["
                + "{type: precise-prefix-cache-producer, parameters: {parityTimeout: 1s}}, {type: prefix-cache-scorer, "
                + "parameters: {prefixMatchInfoProducerName: precise-prefix-cache-producer}}]}";
        try (GatewayHarness g = GatewayHarness.start(yaml(picker, deaf))) {
            awaitSubscribed(g, 1);
            for (int i = 0; i < 9; i++) {
                routed(g, FillerText.random(40, new java.util.SplittableRandom(70_000 + i)));
            }
            Thread.sleep(1_500); // the first is overdue, but nine requests are not yet a pattern
            assertThat(metric(g, "jetway_kv_events_silent_endpoints")).isZero();
            routed(g, FillerText.random(40, new java.util.SplittableRandom(70_009)));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> metric(g, "jetway_kv_events_silent_endpoints") == 1);
            PrecisePrefixIndex index = g.server.routing().kvEvents().index("p");
            assertThat(index.endpointStats().getFirst().routedSinceHeard()).isEqualTo(10);
        }
    }

    @Test
    void withTheEnginesTokenizerChatsRouteOnTheEnginesOwnBlocks() throws Exception {
        String yaml = yaml("precise").replace("    endpointPicker: precise\n",
                "    endpointPicker: precise\n    tokenizer: engine\n");
        try (GatewayHarness g = GatewayHarness.start(yaml)) {
            awaitSubscribed(g, 3);
            awaitLiveSubscriptions(g);
            String system = FillerText.sequence(200, 40_000);
            java.util.function.Function<String, String> chat = q -> "{\"model\":\"" + MODEL + "\",\"max_tokens\":1,"
                    + "\"messages\":[{\"role\":\"system\",\"content\":\"" + system + "\"},"
                    + "{\"role\":\"user\",\"content\":\"" + q + "\"}]}";
            HttpResponse<String> first = g.post("/v1/chat/completions", chat.apply("first question"));
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            String home = first.headers().firstValue("x-jetway-endpoint").orElseThrow();
            PrecisePrefixIndex index = g.server.routing().kvEvents().index("p");
            // the tokens came from the replica's /tokenize: the engine reports exactly the blocks Jetway keyed
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(index.poolParity())
                    .satisfies(r -> assertThat(r.samples()).isPositive())
                    .satisfies(r -> assertThat(r.ratio()).isEqualTo(1.0)));
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> next = g.post("/v1/chat/completions", chat.apply("question " + i));
                assertThat(next.headers().firstValue("x-jetway-endpoint")).hasValue(home);
            }
        }
    }

    @Test
    void thePoolsKvBlockSizeIsTheDefaultAndTheProducersOwnWins() throws Exception {
        String withPoolSize = yaml("precise").replace("    endpointPicker: precise\n",
                "    endpointPicker: precise\n    kvBlockSize: 32\n");
        try (GatewayHarness g = GatewayHarness.start(withPoolSize)) {
            assertThat(g.server.routing().preciseIndex("p").config().blockSize()).isEqualTo(32);
        }
        String producerSays = withPoolSize.replace("endpointPicker: precise", "endpointPicker: {apiVersion: "
                + "llm-d.ai/v1alpha1, kind: EndpointPickerConfig, plugins: [{type: precise-prefix-cache-producer, "
                + "parameters: {tokenProcessorConfig: {blockSize: 64}}}, {type: prefix-cache-scorer, parameters: "
                + "{prefixMatchInfoProducerName: precise-prefix-cache-producer}}]}");
        try (GatewayHarness g = GatewayHarness.start(producerSays)) {
            assertThat(g.server.routing().preciseIndex("p").config().blockSize()).isEqualTo(64);
        }
    }

    @Test
    void subscriptionsFollowConfigReloads() throws Exception {
        try (GatewayHarness g = GatewayHarness.start(yaml("precise"))) {
            awaitSubscribed(g, 3);
            PrecisePrefixIndex before = g.server.routing().kvEvents().index("p");
            String dropped = "127.0.0.1:" + sim.replicas().get(2).httpPort();
            String two = yaml("precise").lines().filter(l -> !l.contains(dropped))
                    .collect(Collectors.joining("\n")) + "\n";
            g.server.reload(dev.jetway.gateway.config.ConfigLoader.parse(two, "reload"));
            awaitSubscribed(g, 2);
            assertThat(g.server.routing().kvEvents().index("p")).isSameAs(before); // same settings: state kept
            assertThat(before.endpointId(dropped)).isEmpty();
            g.server.reload(dev.jetway.gateway.config.ConfigLoader.parse(yaml("approximate"), "reload"));
            await().atMost(Duration.ofSeconds(5)).until(() -> g.server.routing().kvEvents().index("p") == null);
            assertThat(g.metricsPage()).doesNotContain("jetway_kv_events_subscribers");
        }
    }

    @Test
    void parityFallsWhenTheGatewayUsesAnotherBlockSizeThanTheEngines() throws Exception {
        String picker = """
                {apiVersion: llm-d.ai/v1alpha1, kind: EndpointPickerConfig,
                      plugins: [{type: precise-prefix-cache-producer, parameters: {tokenProcessorConfig: {blockSize: 32},
                      speculativeIndexing: true, parityTimeout: 2s}},
                      {type: prefix-cache-scorer, parameters: {prefixMatchInfoProducerName: precise-prefix-cache-producer}},
                      {type: queue-scorer}]}""";
        try (GatewayHarness wrong = GatewayHarness.start(yaml(picker.replace("\n", " ")))) {
            awaitSubscribed(wrong, 3);
            awaitLiveSubscriptions(wrong);
            for (int i = 0; i < 6; i++) {
                routed(wrong, FillerText.sequence(100, 20_000 + 500 * i));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> metric(wrong, "jetway_kv_hash_parity_ratio") < 0.5);
            assertThat(wrong.server.routing().kvEvents().index("p").poolParity().engineBlockSize()).isEqualTo(16);
        }
    }

    @Test
    void kvEventMessagesLostOnTheWayAreReplayedAndNoEntryIsRebuilt() throws Exception {
        awaitLiveSubscriptions(gw);
        SimReplica lossy = sim.replicas().getLast();
        String where = "127.0.0.1:" + lossy.httpPort();
        double gapsBefore = metric(gw, "jetway_kv_events_sequence_gaps_total");
        double replayedBefore = metric(gw, "jetway_kv_events_gaps_replayed_total");
        lossy.withholdKvEvents(2); // the next two batches reach the replay buffer, not the subscriber
        List<String> prompts = new ArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            String prompt = FillerText.random(80, new java.util.SplittableRandom(90_000 + prompts.size()));
            prompts.add(prompt);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + where + "/v1/completions"))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body(prompt)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(metric(gw, "jetway_kv_events_replay_failures_total")).as("replay failures").isZero();
            return metric(gw, "jetway_kv_events_gaps_replayed_total") > replayedBefore;
        });
        // every prompt's blocks arrived, those of the withheld batches through the replay socket
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            for (String prompt : prompts) {
                assertThat(blocksHeld(gw, where, prompt)).as(prompt.substring(0, 20)).isEqualTo(5);
            }
        });
        assertThat(metric(gw, "jetway_kv_events_sequence_gaps_total")).as("the index never saw the gap")
                .isEqualTo(gapsBefore);
        assertThat(metric(gw, "jetway_kv_events_replay_failures_total")).isZero();
    }
}
