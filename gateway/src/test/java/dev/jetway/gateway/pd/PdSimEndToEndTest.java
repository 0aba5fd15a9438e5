package dev.jetway.gateway.pd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import dev.jetway.sim.SimRole;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway driving both legs of split requests over two simulated vLLM replicas (one prefill, one decode) that
 * speak the NIXL connector's {@code kv_transfer_params}, through the official OpenAI Java SDK.
 */
class PdSimEndToEndTest {

    private static final String MODEL = "pd-model";
    private static SimCluster sim;
    private static GatewayHarness gw;
    private static OpenAIClient openai;
    private static String prefill;
    private static String decode;

    @BeforeAll
    static void start() throws Exception {
        sim = SimCluster.start(SimOptions.defaults(MODEL).withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100"), List.of(SimRole.PREFILL, SimRole.DECODE));
        prefill = "127.0.0.1:" + sim.replicas().get(0).httpPort();
        decode = "127.0.0.1:" + sim.replicas().get(1).httpPort();
        gw = GatewayHarness.start(PdYaml.pool(MODEL, List.of(new PdYaml.Member(prefill, "prefill"),
                new PdYaml.Member(decode, "decode")), false, "{mode: gateway}", ""));
        openai = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + gw.server.port() + "/v1").apiKey("unused")
                .maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        openai.close();
        gw.close();
        sim.close();
    }

    @Test
    void nonStreamingChatIsPrefilledOnOneReplicaAndDecodedOnTheOther() throws Exception {
        long prefilledBefore = remoteDecodeRuns(prefill);
        ChatCompletion c = openai.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("A long question about the weather. ".repeat(40))
                .maxCompletionTokens(8).build());
        assertThat(c.choices().getFirst().message().content()).hasValueSatisfying(t -> assertThat(t).isNotBlank());
        assertThat(c.usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isBetween(1L, 8L));
        assertThat(remoteDecodeRuns(prefill)).isEqualTo(prefilledBefore + 1);

        HttpResponse<String> raw = gw.post("/v1/completions", "{\"model\":\"" + MODEL
                + "\",\"prompt\":\"" + "Tell me a story. ".repeat(30) + "\",\"max_tokens\":5}");
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.headers().firstValue("x-jetway-endpoint")).hasValue(decode);
        assertThat(raw.headers().firstValue("x-jetway-prefill-endpoint")).hasValue(prefill);
        JsonNode body = new ObjectMapper().readTree(raw.body());
        assertThat(body.path("choices").path(0).path("finish_reason").asText()).isIn("length", "stop");
        assertThat(body.path("kv_transfer_params").isNull() || body.path("kv_transfer_params").isMissingNode())
                .isTrue();
    }

    @Test
    void streamingChatRelaysEveryTokenWithThePrefillsCachedTokens() {
        StringBuilder text = new StringBuilder();
        AtomicLong cached = new AtomicLong(-1);
        String question = "Stream me a long answer, please. ".repeat(40);
        for (int round = 0; round < 2; round++) { // the second time the prefill replica has the prompt cached
            text.setLength(0);
            try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(
                    ChatCompletionCreateParams.builder().model(MODEL).addUserMessage(question)
                            .maxCompletionTokens(6).streamOptions(ChatCompletionStreamOptions.builder()
                                    .includeUsage(true).build()).build())) {
                stream.stream().forEach(chunk -> {
                    chunk.choices().forEach(ch -> text.append(ch.delta().content().orElse("")));
                    chunk.usage().ifPresent(u -> u.promptTokensDetails().ifPresent(d -> d.cachedTokens()
                            .ifPresent(cached::set)));
                });
            }
            assertThat(text.toString().trim().split(" ")).hasSizeBetween(1, 6);
        }
        // the prefill replica's own cache hit (its blocks from the first round), not the decode replica's figure
        assertThat(cached.get()).isGreaterThan(0);
    }

    @Test
    void metricsCountDecisionsAndLegs() throws Exception {
        var response = gw.post("/v1/completions", "{\"model\":\"" + MODEL + "\",\"prompt\":\"hello there\","
                + "\"max_tokens\":2}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        // the decode leg is recorded as its relay ends, which may be just after the client has the whole answer
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
            String metrics = gw.metricsPage();
            assertThat(metrics)
                    .containsPattern("jetway_pd_decisions_total\\{decision=\"prefill-decode\",pool=\"p\"} [1-9]")
                    .containsPattern("llm_d_epp_disagg_decision_total\\{decision_type=\"prefill-decode\"} [1-9]");
            assertThat(metrics).containsPattern("jetway_pd_leg_duration_seconds_count\\{leg=\"prefill\"} [1-9]");
            assertThat(metrics).containsPattern("jetway_pd_leg_duration_seconds_count\\{leg=\"decode\"} [1-9]");
        });
    }

    @Test
    void aClientLeavingDuringPrefillFreesThePrefillReplicasBlocksAndNeverReachesDecode() throws Exception {
        String decodeBefore = gauge(decode, "vllm:request_success_total");
        String body = "{\"model\":\"" + MODEL + "\",\"prompt\":\"" + "word ".repeat(60000) + "\",\"max_tokens\":4}";
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", gw.server.port())) {
            s.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                    + "content-length: " + body.length() + "\r\n\r\n" + body).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .pollInterval(java.time.Duration.ofMillis(10))
                    .until(() -> gauge(prefill, "vllm:num_requests_running").equals("1.0"));
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() ->
                gauge(prefill, "vllm:num_requests_running").equals("0.0")
                        && gauge(prefill, "vllm:num_requests_waiting").equals("0.0")
                        && gauge(prefill, "vllm:kv_cache_usage_perc").equals("0.0"));
        assertThat(gauge(decode, "vllm:request_success_total")).isEqualTo(decodeBefore);
        assertThat(gw.metricsPage()).contains("jetway_pd_prefill_failures_total{cause=\"client_cancelled\"}");
    }

    /** The first sample of {@code name} on a replica's metrics page, as written. */
    private static String gauge(String address, String name) throws Exception {
        String page = gw.get(URI.create("http://" + address + "/metrics")).body();
        return page.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .map(l -> l.substring(l.lastIndexOf(' ') + 1)).findFirst().orElse("?");
    }

    private static long remoteDecodeRuns(String address) throws Exception {
        String page = gw.get(URI.create("http://" + address + "/metrics")).body();
        Matcher m = Pattern.compile("vllm:request_success_total\\{[^}]*finished_reason=\"remote_decode\"} ([0-9.]+)")
                .matcher(page);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }
}
