package dev.jetway.gateway.realengine;

import static dev.jetway.gateway.realengine.RealEngine.HTTP;
import static dev.jetway.gateway.realengine.RealEngine.JSON;
import static dev.jetway.gateway.realengine.RealEngine.cachedTokens;
import static dev.jetway.gateway.realengine.RealEngine.completion;
import static dev.jetway.gateway.realengine.RealEngine.metric;
import static dev.jetway.gateway.realengine.RealEngine.post;
import static dev.jetway.gateway.realengine.RealEngine.prompt;
import static dev.jetway.gateway.realengine.RealEngine.promptTokens;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.gateway.proxy.ProxyExchange;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.sim.llamacpp.LlamaServerBuild;
import dev.jetway.sim.llamacpp.LlamaServerReplica;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The gateway in front of two real llama.cpp {@code llama-server} replicas (the tiny random-weight model, one thread
 * each): what the simulator-backed tests claim, checked against a real engine. Timing is never asserted; what the
 * engine itself reports (cached tokens, its queue, its slots) is.
 */
@Tag("real-engine")
class LlamaServerGatewayTest {

    private final List<LlamaServerReplica> replicas = new ArrayList<>();
    private final List<CompletableFuture<?>> background = new ArrayList<>();
    private GatewayHarness gateway;
    private LlamaServerBuild build;

    @BeforeEach
    void findBuild() {
        build = RealEngine.build();
    }

    @AfterEach
    void stop() {
        background.forEach(f -> f.cancel(true));
        if (gateway != null) {
            gateway.close();
        }
        replicas.forEach(LlamaServerReplica::close);
    }

    @Test
    void theSecondRequestOfASharedPrefixLandsWhereTheFirstDidAndReportsCachedTokens() throws Exception {
        startReplicas(LlamaServerReplica.Settings.of(RealEngine.MODEL));
        gateway = GatewayHarness.start(yaml(null));
        awaitRecognised();
        String shared = prompt(1, 600);

        HttpResponse<String> first = post(gateway.uri("/v1/completions"), completion(shared + " first", 4, false));
        HttpResponse<String> second = post(gateway.uri("/v1/completions"),
                completion(shared + " second question", 4, false));

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(endpoint(second)).isEqualTo(endpoint(first));
        int sharedTokens = promptTokens(first) - 2;
        assertThat(cachedTokens(second)).as("cached tokens of the second request, %d shared", sharedTokens)
                .isGreaterThanOrEqualTo(sharedTokens * 9 / 10);
    }

    @Test
    void roundRobinSendsTheSecondRequestToTheColdReplica() throws Exception {
        startReplicas(LlamaServerReplica.Settings.of(RealEngine.MODEL));
        gateway = GatewayHarness.start(yaml("round-robin"));
        awaitRecognised();
        String shared = prompt(2, 600);

        HttpResponse<String> first = post(gateway.uri("/v1/completions"), completion(shared + " first", 4, false));
        HttpResponse<String> second = post(gateway.uri("/v1/completions"),
                completion(shared + " second question", 4, false));

        assertThat(endpoint(second)).isNotEqualTo(endpoint(first));
        assertThat(cachedTokens(second)).isLessThan(promptTokens(first) / 10);
    }

    @Test
    void aSaturatedReplicasQueueIsScrapedAndTrafficMovesAway() throws Exception {
        // one slot each: a second request to a replica waits in its queue (llamacpp:requests_deferred)
        startReplicas(LlamaServerReplica.Settings.of(RealEngine.MODEL).withSlots(1).withContext(4096));
        gateway = GatewayHarness.start(yaml(null));
        awaitRecognised();
        LlamaServerReplica busy = replicas.getFirst();
        for (int i = 0; i < 3; i++) {
            String body = completion(prompt(100 + i, 300), 3000, false);
            background.add(HTTP.sendAsync(HttpRequest.newBuilder(java.net.URI.create(busy.baseUrl()
                    + "/v1/completions")).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()));
        }
        GatewayEndpoint seen = endpointOf(busy);
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.endpoint().metrics().waitingRequests() >= 1);
        assertThat(metric(busy, "requests_deferred")).isGreaterThanOrEqualTo(1);

        List<String> landed = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = post(gateway.uri("/v1/completions"), completion(prompt(200 + i, 100), 4, false));
            assertThat(r.statusCode()).isEqualTo(200);
            landed.add(endpoint(r));
        }
        assertThat(landed).as("where requests went while %s queued", busy.address())
                .containsOnly(replicas.get(1).address());
    }

    @Test
    void streamsAreRelayedChunkByChunkWithUsageAndDone() throws Exception {
        startReplicas(LlamaServerReplica.Settings.of(RealEngine.MODEL));
        gateway = GatewayHarness.start(yaml(null));
        HttpResponse<java.util.stream.Stream<String>> r = HTTP.send(HttpRequest.newBuilder(
                        gateway.uri("/v1/completions")).timeout(Duration.ofSeconds(60))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(completion(prompt(3, 50), 24, true))).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        List<String> data = r.body().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6))
                .collect(Collectors.toList());

        assertThat(data.getLast()).isEqualTo("[DONE]");
        List<JsonNode> chunks = new ArrayList<>();
        for (String d : data.subList(0, data.size() - 1)) {
            chunks.add(JSON.readTree(d));
        }
        long textChunks = chunks.stream().filter(c -> c.path("choices").size() > 0).count();
        assertThat(textChunks).isGreaterThanOrEqualTo(12); // a chunk per token, a few may carry partial UTF-8
        JsonNode usage = chunks.stream().filter(c -> c.has("usage") && !c.path("usage").isNull()).reduce((a, b) -> b)
                .orElseThrow().path("usage");
        assertThat(usage.path("completion_tokens").asInt()).isEqualTo(24);
    }

    @Test
    void aClientThatGoesAwayStopsTheEngine() throws Exception {
        startReplicas(LlamaServerReplica.Settings.of(RealEngine.MODEL).withSlots(1).withContext(4096));
        gateway = GatewayHarness.start(yaml(null));
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(gateway.uri("/v1/completions"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(completion(prompt(4, 20), 3500, true))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        LlamaServerReplica serving = replicas.stream().filter(x -> x.address().equals(endpoint(r))).findFirst()
                .orElseThrow();
        BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        for (int chunks = 0; chunks < 5; ) {
            String l = lines.readLine();
            assertThat(l).as("the stream ended early").isNotNull();
            if (l.startsWith("data: ")) {
                chunks++;
            }
        }
        r.body().close();

        await().atMost(Duration.ofSeconds(20)).until(() -> metric(serving, "requests_processing") == 0);
        double predicted = metric(serving, "tokens_predicted_total");
        assertThat(predicted).as("tokens the engine generated for a request of 3500").isLessThan(3000);
    }

    @Test
    void aReplicaKilledMidStreamEndsItsStreamsAndTheOtherTakesTheTraffic() throws Exception {
        startReplicas(LlamaServerReplica.Settings.of(RealEngine.MODEL));
        gateway = GatewayHarness.start(yaml(null));
        awaitRecognised();
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(gateway.uri("/v1/completions"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(completion(prompt(5, 20), 3500, true))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        LlamaServerReplica victim = replicas.stream().filter(x -> x.address().equals(endpoint(r))).findFirst()
                .orElseThrow();
        LlamaServerReplica survivor = replicas.stream().filter(x -> x != victim).findFirst().orElseThrow();
        BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        assertThat(lines.readLine()).isNotNull();

        victim.kill();
        CompletableFuture<String> rest = CompletableFuture.supplyAsync(() -> lines.lines()
                .collect(Collectors.joining("\n")));
        String tail = rest.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(tail).as("the cut stream ends, not with [DONE]").doesNotEndWith("data: [DONE]");

        for (int i = 0; i < 6; i++) {
            HttpResponse<String> next = post(gateway.uri("/v1/completions"), completion(prompt(300 + i, 50), 4, false));
            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(endpoint(next)).isEqualTo(survivor.address());
        }
    }

    private void startReplicas(LlamaServerReplica.Settings settings) throws Exception {
        for (int i = 0; i < 2; i++) {
            replicas.add(RealEngine.start(build, settings));
        }
    }

    private String yaml(String policy) {
        return "server: {port: 0, adminPort: 0, host: 127.0.0.1}\n"
                + "upstream: {connectTimeout: 1s}\n"
                + "dataLayer: {scrapeInterval: 50ms, scrapeTimeout: 3s}\n"
                + "pools:\n  - name: real\n    models: [" + RealEngine.MODEL + "]\n"
                + (policy == null ? "" : "    endpointPicker: " + policy + "\n")
                + "    endpoints:\n" + replicas.stream().map(r -> "      - {address: \"" + r.address() + "\"}")
                .collect(Collectors.joining("\n")) + "\n";
    }

    /** Waits until every endpoint's engine is recognised from its page (auto) as llama.cpp, and says so in /ready. */
    private void awaitRecognised() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> gateway.server.routing().table().pools().getFirst()
                .endpoints().stream().allMatch(e -> e.engine().equals("llama.cpp (recognised)") && e.ready()
                        && e.endpoint().metrics().cacheNumBlocks() > 0));
        JsonNode ready = JSON.readTree(gateway.get(gateway.uri("/ready")).body());
        for (LlamaServerReplica r : replicas) {
            assertThat(ready.path("engines").path("real/" + r.address()).asText()).isEqualTo("llama.cpp (recognised)");
        }
    }

    private GatewayEndpoint endpointOf(LlamaServerReplica replica) {
        return gateway.server.routing().table().pools().getFirst().endpoints().stream()
                .filter(e -> e.address().toString().equals(replica.address())).findFirst().orElseThrow();
    }

    private static String endpoint(HttpResponse<?> r) {
        return r.headers().firstValue(ProxyExchange.ENDPOINT_HEADER).orElseThrow();
    }
}
