package dev.jetway.gateway.datalayer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.scheduler.EndpointMetrics;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Engines through a running gateway: the pool's {@code engine}, auto recognition, status pages, {@code /ready}. */
class EngineScrapeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String LLAMA_PAGE = """
            # HELP llamacpp:requests_processing Number of requests processing
            # TYPE llamacpp:requests_processing gauge
            llamacpp:requests_processing 2
            # HELP llamacpp:requests_deferred Number of requests deferred
            # TYPE llamacpp:requests_deferred gauge
            llamacpp:requests_deferred 3
            """;
    private static final String SLOTS = """
            [{"id":0,"n_ctx":4096,"is_processing":true,"n_prompt_tokens":1024},
             {"id":1,"n_ctx":4096,"is_processing":true,"n_prompt_tokens":1024}]
            """;

    @Test
    void autoRecognisesLlamaCppReadsItsSlotsAndSaysSoInReady() throws Exception {
        try (FakeModelServer llama = new FakeModelServer("llama")) {
            llama.metricsPage = LLAMA_PAGE;
            llama.pages.put("/slots", SLOTS);
            try (GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "",
                    List.of(llama.address())))) {
                EndpointMetrics m = awaitMetrics(gw, llama.address());
                assertThat(m.waitingRequests()).isEqualTo(3);
                assertThat(m.runningRequests()).isEqualTo(2);
                assertThat(m.kvCacheUsage()).isEqualTo(0.25);
                assertThat(m.cacheBlockSize()).isEqualTo(1);
                assertThat(m.cacheNumBlocks()).isEqualTo(2048); // what the two slots hold
                JsonNode ready = JSON.readTree(gw.get(gw.uri("/ready")).body());
                assertThat(ready.path("status").asText()).isEqualTo("ready");
                assertThat(ready.path("engines").path("p/" + llama.address()).asText())
                        .isEqualTo("llama.cpp (recognised)");
            }
        }
    }

    @Test
    void theKvCapacityIsCountedInRoutingTokensLearnedFromTheEnginesPromptCounts() throws Exception {
        try (FakeModelServer llama = new FakeModelServer("llama")) {
            llama.metricsPage = LLAMA_PAGE;
            llama.pages.put("/slots", SLOTS);
            // the engine counts the prompt as 500 tokens where the router's byte estimate counts 1,000
            llama.jsonAnswer = "{\"id\":\"c\",\"object\":\"text_completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                    + "\"text\":\" x\",\"finish_reason\":\"length\"}],"
                    + "\"usage\":{\"prompt_tokens\":500,\"completion_tokens\":1,\"total_tokens\":501}}";
            try (GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "",
                    List.of(llama.address())))) {
                assertThat(awaitMetrics(gw, llama.address()).cacheNumBlocks()).isEqualTo(2048);
                String body = "{\"model\":\"m\",\"prompt\":\"" + "abcd".repeat(1_000) + "\",\"max_tokens\":1}";
                for (int i = 0; i < 6; i++) {
                    var r = gw.http.send(java.net.http.HttpRequest.newBuilder(gw.uri("/v1/completions"))
                            .header("content-type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                }
                // two slots holding 2,048 engine tokens are 4,096 of the router's
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
                        assertThat(awaitMetrics(gw, llama.address()).cacheNumBlocks()).isEqualTo(4096));
            }
        }
    }

    @Test
    void aNamedEngineScrapesItsOwnMetricsPath() throws Exception {
        try (FakeModelServer trt = new FakeModelServer("trt")) {
            trt.metricsPage = "{\"iterations\":[]}"; // trtllm-serve's /metrics is JSON, not Prometheus text
            trt.pages.put("/prometheus/metrics", "trtllm_num_requests_waiting{model_name=\"m\"} 4\n"
                    + "trtllm_kv_cache_utilization{model_name=\"m\"} 0.5\n");
            String yaml = GatewayHarness.yaml("random", "", List.of(trt.address()))
                    .replace("    models: [m]\n", "    models: [m]\n    engine: trtllm-serve\n");
            try (GatewayHarness gw = GatewayHarness.start(yaml)) {
                EndpointMetrics m = awaitMetrics(gw, trt.address());
                assertThat(m.waitingRequests()).isEqualTo(4);
                assertThat(m.kvCacheUsage()).isEqualTo(0.5);
                JsonNode ready = JSON.readTree(gw.get(gw.uri("/ready")).body());
                assertThat(ready.path("engines").path("p/" + trt.address()).asText()).isEqualTo("trtllm-serve");
            }
        }
    }

    @Test
    void anUnrecognisedPageIsReadAsVllmAndReadySaysItIsBlind() throws Exception {
        try (FakeModelServer other = new FakeModelServer("other")) {
            other.metricsPage = "process_cpu_seconds_total 3\n";
            try (GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "",
                    List.of(other.address())))) {
                awaitMetrics(gw, other.address());
                JsonNode ready = JSON.readTree(gw.get(gw.uri("/ready")).body());
                assertThat(ready.path("engines").path("p/" + other.address()).asText())
                        .startsWith("not recognised: no series of vllm, sglang");
            }
        }
    }

    @Test
    void anUnknownEngineIsRefusedAtLoad() {
        String yaml = GatewayHarness.yaml("random", "", List.of("127.0.0.1:1"))
                .replace("    models: [m]\n", "    models: [m]\n    engine: ollama\n");
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "test"))
                .hasMessageContaining("pool p: engine must be one of vllm, sglang, trtllm-serve, triton-trtllm, tgi, "
                        + "llama.cpp, auto, got ollama");
    }

    private static EndpointMetrics awaitMetrics(GatewayHarness gw, String address) {
        GatewayEndpoint e = gw.server.routing().table().pools().getFirst().endpoints().stream()
                .filter(x -> x.address().toString().equals(address)).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(5)).until(() -> e.health().scraped());
        await().atMost(Duration.ofSeconds(5)).until(() -> !e.engine().equals("not recognised yet"));
        return e.endpoint().metrics();
    }
}
