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

/**
 * Policy {@code predicted-latency} (with llm-d's {@code latency-slo-admitter}): a sheddable request whose latency
 * objectives no endpoint is predicted to meet, while every endpoint is busy and warm, is answered 429 with
 * {@code x-llm-d-request-dropped-reason: rejected-saturated}, never reaches a model server and is not retried; the
 * same request is served when it is not sheddable, carries no objective, or an endpoint is idle.
 */
class LatencySloAdmissionTest {

    /** Busy (requests running) and warm (KV over 2 %), but under the gateway's own saturation thresholds. */
    private static final String BUSY = "vllm:num_requests_waiting{model_name=\"m\"} 0\n"
            + "vllm:num_requests_running{model_name=\"m\"} 3\n"
            + "vllm:kv_cache_usage_perc{model_name=\"m\"} 0.3\n";
    private static final String IDLE = "vllm:num_requests_waiting{model_name=\"m\"} 0\n"
            + "vllm:num_requests_running{model_name=\"m\"} 0\n"
            + "vllm:kv_cache_usage_perc{model_name=\"m\"} 0.3\n";

    private static HttpResponse<String> post(GatewayHarness gw, String objective, String ttftMs) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri("/v1/completions"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":3}"));
        if (objective != null) {
            b.header("x-llm-d-inference-objective", objective);
        }
        if (ttftMs != null) {
            b.header("x-llm-d-slo-ttft-ms", ttftMs);
        }
        return gw.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSheddableRequestWithAnImpossibleObjectiveIsRejectedWhileEveryEndpointIsBusy() throws Exception {
        try (FakeModelServer a = new FakeModelServer("a"); FakeModelServer b = new FakeModelServer("b")) {
            a.metricsPage = BUSY;
            b.metricsPage = BUSY;
            try (GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("predicted-latency", "",
                    List.of(a.address(), b.address()))
                    + "admission: {objectives: {batch: -1, chat: 10}, metricsStalenessThreshold: 5s}\n")) {
                // 1 µs to the first token: no prediction can meet it
                await().atMost(Duration.ofSeconds(5)).until(() -> post(gw, "batch", "0.001").statusCode() == 429);
                int served = a.completionRequests.get() + b.completionRequests.get();

                HttpResponse<String> rejected = post(gw, "batch", "0.001");
                assertThat(rejected.statusCode()).isEqualTo(429);
                assertThat(rejected.headers().firstValue("x-llm-d-request-dropped-reason"))
                        .hasValue("rejected-saturated");
                assertThat(rejected.headers().firstValue("content-type")).hasValue("application/json");
                assertThat(rejected.body()).startsWith("{\"error\":{\"message\":\"no endpoint is predicted to meet")
                        .contains("\"type\":\"rate_limit_error\"").contains("\"code\":\"rate_limit_exceeded\"");
                assertThat(a.completionRequests.get() + b.completionRequests.get()).isEqualTo(served);

                // not sheddable, or no objective, or no objective header at all: best effort, served
                assertThat(post(gw, "chat", "0.001").statusCode()).isEqualTo(200);
                assertThat(post(gw, null, "0.001").statusCode()).isEqualTo(200);
                assertThat(post(gw, "batch", null).statusCode()).isEqualTo(200);

                String page = gw.metricsPage();
                assertThat(page).containsPattern("llm_d_epp_request_error_total\\{error_code=\"429\",model_name=\"m\","
                        + "target_model_name=\"m\"\\} [2-9]");
                assertThat(page).contains("jetway_retries_total 0.0");
                // pre-registered at zero, and still zero: nothing was answered 503
                assertThat(page).containsPattern("llm_d_epp_request_error_total\\{error_code=\"503\",[^}]*\\} 0\\.0\n")
                        .doesNotContainPattern("llm_d_epp_request_error_total\\{error_code=\"503\",[^}]*\\} [1-9]");

                // one endpoint goes idle: the admitter lets the request try there
                b.metricsPage = IDLE;
                await().atMost(Duration.ofSeconds(5)).until(() -> post(gw, "batch", "0.001").statusCode() == 200);
            }
        }
    }
}
