package dev.jetway.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.sim.fault.FailureType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class FaultsAndDisconnectTest {

    private SimCluster cluster;

    private SimClient start(SimOptions options) {
        cluster = SimCluster.start(options, 1);
        return new SimClient(cluster.replicas().getFirst());
    }

    private static SimOptions options() {
        return SimOptions.defaults("m").withBindHost("127.0.0.1").withPort(0).withProfile("llama-3.1-8b-h100")
                .withMaxModelLen(8192);
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static PrometheusSamples metrics(SimClient client) {
        return PrometheusSamples.parse(client.get("/metrics").body());
    }

    @Test
    void returnErrorHeaderForcesThatStatusWithAnOpenAiBody() {
        SimClient client = start(options());
        String body = "{\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":1}";
        for (int status : new int[] {429, 401, 503, 404, 400, 500}) {
            HttpResponse<String> response = client.post("/v1/completions", body, "X-Return-Error",
                    Integer.toString(status));
            assertThat(response.statusCode()).isEqualTo(status);
            JsonNode error = SimClient.parse(response.body()).get("error");
            assertThat(error.get("code").asInt()).isEqualTo(status);
            assertThat(error.get("message").asText()).isNotBlank();
        }
        assertThat(client.post("/v1/completions", body, "X-Return-Error", "teapot").statusCode()).isEqualTo(400);
        assertThat(client.post("/v1/completions", body).statusCode()).isEqualTo(200);
    }

    @Test
    void failureRateInjectsOnlyTheChosenTypes() {
        SimClient client = start(options().withFailures(100, Set.of(FailureType.RATE_LIMIT)));
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> response = client.post("/v1/completions",
                    "{\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":1}");
            assertThat(response.statusCode()).isEqualTo(429);
            assertThat(SimClient.parse(response.body()).get("error").get("type").asText())
                    .isEqualTo("RateLimitError");
        }
    }

    @Test
    void partialFailureRateFailsSomeRequestsAndServesTheRest() {
        SimClient client = start(options().withFailures(50, EnumSet.of(FailureType.SERVER_ERROR,
                FailureType.INVALID_API_KEY)));
        int ok = 0;
        int failed = 0;
        for (int i = 0; i < 40; i++) {
            int status = client.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":1}")
                    .statusCode();
            if (status == 200) {
                ok++;
            } else {
                assertThat(status).isIn(503, 401);
                failed++;
            }
        }
        assertThat(ok).isBetween(5, 35);
        assertThat(failed).isBetween(5, 35);
    }

    @Test
    void clientDisconnectAbortsTheEngineRequestAtOnce() throws IOException {
        SimClient client = start(options());
        try (RawHttp raw = new RawHttp(cluster.replicas().getFirst())) {
            raw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"long one\",\"max_tokens\":5000,"
                    + "\"ignore_eos\":true,\"stream\":true}");
            raw.readUntil("data: ");
            assertThat(metrics(client).value("vllm:num_requests_running{engine=\"0\",model_name=\"m\"}"))
                    .isEqualTo(1.0);
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            PrometheusSamples m = metrics(client);
            assertThat(m.value("vllm:num_requests_running{engine=\"0\",model_name=\"m\"}")).isZero();
            assertThat(m.value("vllm:request_success_total{engine=\"0\",model_name=\"m\",finished_reason=\"abort\"}"))
                    .isEqualTo(1.0);
        });
        // 5,000 tokens would take minutes; the abort freed the blocks long before.
        assertThat(metrics(client).value("vllm:generation_tokens_total{engine=\"0\",model_name=\"m\"}"))
                .isLessThan(5000);
    }

    @Test
    void nonStreamingDisconnectAbortsToo() throws IOException {
        SimClient client = start(options());
        try (RawHttp raw = new RawHttp(cluster.replicas().getFirst())) {
            raw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"long one\",\"max_tokens\":5000,"
                    + "\"ignore_eos\":true}");
            await().atMost(Duration.ofSeconds(5)).until(() -> metrics(client)
                    .value("vllm:num_requests_running{engine=\"0\",model_name=\"m\"}") == 1.0);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics(client)
                .value("vllm:request_success_total{engine=\"0\",model_name=\"m\",finished_reason=\"abort\"}") == 1.0);
    }

    @Test
    void stallAfterTokensStopsTheStreamButKeepsTheConnectionOpen() throws IOException {
        SimClient client = start(options().withStallAfterTokens(2));
        try (RawHttp raw = new RawHttp(cluster.replicas().getFirst())) {
            raw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"stall\",\"max_tokens\":6,"
                    + "\"ignore_eos\":true,\"stream\":true}");
            // The engine finishes all 6 tokens ...
            await().atMost(Duration.ofSeconds(5)).until(() -> metrics(client)
                    .value("vllm:request_success_total{engine=\"0\",model_name=\"m\",finished_reason=\"length\"}")
                    == 1.0);
            String received = raw.readFor(300);
            // ... but the client got exactly 2 tokens, no finish and no [DONE], and the connection is open.
            String text = received.substring(received.indexOf("\r\n\r\n"));
            int tokens = 0;
            for (String event : text.split("\n\n")) {
                int at = event.indexOf("data: ");
                if (at >= 0) {
                    JsonNode chunk = SimClient.parse(event.substring(at + 6).trim());
                    tokens += dev.jetway.kvcache.tokenize.SimpleWordTokenizer.instance()
                            .count(chunk.get("choices").get(0).get("text").asText());
                    assertThat(chunk.get("choices").get(0).get("finish_reason").isNull()).isTrue();
                }
            }
            assertThat(tokens).isEqualTo(2);
            assertThat(received).doesNotContain("[DONE]");
            assertThat(raw.closedByPeer()).isFalse();
        }
    }
}
