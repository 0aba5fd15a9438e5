package dev.jetway.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.engine.SchedulingPolicy;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * llm-d's {@code requestHandler.propagatePriority} over real sockets: the body the model server gets carries the
 * request's InferenceObjective priority in the engine's convention, and a simulated vLLM replica running
 * {@code --scheduling-policy priority} serves a critical request before lower-priority work already queued in it.
 */
class PriorityPropagationEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OBJECTIVES = "admission: {objectives: {critical: 10, standard: 0, batch: -1}}\n";

    /** One pool {@code p} of model {@code m} routed at random, propagating priorities or not. */
    private static String yaml(List<String> endpoints, boolean propagate) {
        String picker = """
                |
                      apiVersion: llm-d.ai/v1
                      kind: EndpointPickerConfig
                      plugins:
                      - type: random-picker
                      requestHandler: {propagatePriority: %s}
                """.formatted(propagate);
        return GatewayHarness.yaml(picker.stripTrailing(), "", List.of("placeholder:1"))
                .replace("      - {address: \"placeholder:1\"}", String.join("\n", endpoints)) + OBJECTIVES;
    }

    private static String endpoint(String address, String engineType) {
        return "      - {address: \"" + address + "\""
                + (engineType == null ? "" : ", labels: {llm-d.ai/engine-type: " + engineType + "}") + "}";
    }

    private static HttpResponse<String> post(GatewayHarness gw, String objective, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri("/v1/completions")).timeout(Duration.ofSeconds(20))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (objective != null) {
            b.header("x-llm-d-inference-objective", objective);
        }
        return gw.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode lastBody(FakeModelServer backend) throws Exception {
        return JSON.readTree(backend.bodies.getLast());
    }

    @Test
    void theBodyCarriesTheObjectivesPriorityInTheEnginesConvention() throws Exception {
        try (FakeModelServer vllm = new FakeModelServer("vllm");
             GatewayHarness gw = GatewayHarness.start(yaml(List.of(endpoint(vllm.address(), null)), true))) {
            // the client's own priority is replaced: only the gateway's objectives decide
            String body = "{\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":2,\"priority\":99}";
            assertThat(post(gw, "critical", body).statusCode()).isEqualTo(200);
            assertThat(lastBody(vllm).get("priority").asInt()).isEqualTo(-10); // vLLM: lower is served first
            assertThat(lastBody(vllm).get("prompt").asText()).isEqualTo("hi");
            post(gw, "batch", body);
            assertThat(lastBody(vllm).get("priority").asInt()).isEqualTo(1);
            post(gw, null, body);
            assertThat(lastBody(vllm).get("priority").asInt()).isZero();
        }
        try (FakeModelServer sglang = new FakeModelServer("sglang");
             GatewayHarness gw = GatewayHarness.start(yaml(List.of(endpoint(sglang.address(), "sglang")), true))) {
            post(gw, "critical", "{\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":2}");
            assertThat(lastBody(sglang).get("priority").asInt()).isEqualTo(10); // SGLang: higher first
        }
        try (FakeModelServer plain = new FakeModelServer("plain");
             GatewayHarness gw = GatewayHarness.start(yaml(List.of(endpoint(plain.address(), null)), false))) {
            String body = "{\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":2,\"priority\":99}";
            post(gw, "critical", body);
            assertThat(new String(plain.bodies.getLast(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(body);
        }
    }

    @Test
    void aCriticalRequestOvertakesLowerPriorityWorkQueuedInTheEngine() throws Exception {
        // One request runs at a time: a long batch request holds the engine, two more batch requests queue behind it
        // in the engine, then a critical one arrives. By priority it is served next; first come first served, last.
        assertThat(completionOrder(true)).startsWith("critical");
        assertThat(completionOrder(false)).endsWith("critical");
    }

    /** The order in which the three queued requests completed, with or without propagating priorities. */
    private static List<String> completionOrder(boolean propagate) throws Exception {
        SimOptions options = SimOptions.defaults("m").withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100").withMaxNumSeqs(1)
                .withSchedulingPolicy(propagate ? SchedulingPolicy.PRIORITY : SchedulingPolicy.FCFS);
        try (SimCluster sim = SimCluster.start(options, 1);
             GatewayHarness gw = GatewayHarness.start(yaml(List.of(endpoint("127.0.0.1:"
                     + sim.replicas().getFirst().httpPort(), null)), propagate))) {
            URI metrics = URI.create(sim.replicas().getFirst().baseUrl() + "/metrics");
            Map<String, Long> done = new ConcurrentHashMap<>();
            // ~6 s of decode: outlasts a slow start of the next sends on a loaded machine (300 tokens did not)
            CompletableFuture<?> holder = send(gw, "batch", "holder", 1000, done);
            await().atMost(Duration.ofSeconds(10)).until(() -> gauge(gw, metrics, "running") == 1);
            CompletableFuture<?> first = send(gw, "batch", "batch-1", 4, done);
            CompletableFuture<?> second = send(gw, "batch", "batch-2", 4, done);
            await().atMost(Duration.ofSeconds(10)).until(() -> gauge(gw, metrics, "waiting") == 2);
            CompletableFuture<?> critical = send(gw, "critical", "critical", 4, done);
            CompletableFuture.allOf(holder, first, second, critical).get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(done).containsKey("holder");
            done.remove("holder");
            return done.entrySet().stream().sorted(Map.Entry.comparingByValue()).map(Map.Entry::getKey).toList();
        }
    }

    private static CompletableFuture<?> send(GatewayHarness gw, String objective, String name, int maxTokens,
                                             Map<String, Long> done) {
        HttpRequest request = HttpRequest.newBuilder(gw.uri("/v1/completions")).timeout(Duration.ofSeconds(60))
                .header("content-type", "application/json").header("x-llm-d-inference-objective", objective)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"" + name
                        + "\",\"max_tokens\":" + maxTokens + ",\"ignore_eos\":true}")).build();
        return gw.http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenAccept(r -> {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            done.put(name, System.nanoTime());
        });
    }

    private static long gauge(GatewayHarness gw, URI metrics, String which) throws Exception {
        Matcher m = Pattern.compile("(?m)^vllm:num_requests_" + which + "\\{[^}]*\\} ([0-9.]+)")
                .matcher(gw.get(metrics).body());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
    }
}
