package dev.jetway.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sheddable requests (negative objective priority) get 429 while the pool is saturated; others are served. */
class AdmissionTest {

    private static HttpResponse<String> post(GatewayHarness gw, String objective) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri("/v1/completions")).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"x\"}"));
        if (objective != null) {
            b.header("x-llm-d-inference-objective", objective);
        }
        return gw.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shedsSheddableRequestsOnlyWhileSaturated() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                     + "admission: {objectives: {batch: -1, chat: 10}, metricsStalenessThreshold: 2s}\n")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> post(gw, "batch").statusCode() == 200);

            backend.metricsPage = "vllm:num_requests_waiting 10\nvllm:kv_cache_usage_perc 0.2\n";
            await().atMost(Duration.ofSeconds(5)).until(() -> post(gw, "batch").statusCode() == 429);
            HttpResponse<String> shed = post(gw, "batch");
            assertThat(shed.headers().firstValue("x-llm-d-request-dropped-reason")).hasValue("rejected-saturated");
            assertThat(shed.body()).contains("\"type\":\"rate_limit_error\"");
            assertThat(post(gw, "chat").statusCode()).isEqualTo(200);
            assertThat(post(gw, null).statusCode()).isEqualTo(200);
            assertThat(post(gw, "unknown-objective").statusCode()).isEqualTo(200);
            HttpResponse<String> legacyHeader = gw.http.send(HttpRequest.newBuilder(gw.uri("/v1/completions"))
                    .header("content-type", "application/json").header("x-gateway-inference-objective", "batch")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"x\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(legacyHeader.statusCode()).isEqualTo(429);
        }
    }
}
