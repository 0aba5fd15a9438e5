package dev.jetway.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway in front of real simulated vLLM replicas, driven by the official OpenAI Java SDK. */
class SimEndToEndTest {

    private static final String MODEL = "sim-model";
    private static SimCluster sim;
    private static GatewayHarness gw;
    private static OpenAIClient openai;

    @BeforeAll
    static void start() throws Exception {
        sim = SimCluster.start(SimOptions.defaults(MODEL).withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100"), 2);
        List<String> addresses = sim.replicas().stream().map(r -> "127.0.0.1:" + r.httpPort()).toList();
        // Jetway's default EndpointPickerConfig: prefix-cache aware
        gw = GatewayHarness.start(GatewayHarness.yaml(null, "", addresses).replace("models: [m]", "models: [" + MODEL + "]"));
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
    void officialSdkChatCompletion() {
        ChatCompletion c = openai.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("Say something short").maxCompletionTokens(4).build());
        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().getFirst().message().content()).hasValueSatisfying(t -> assertThat(t).isNotBlank());
        assertThat(c.usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isBetween(1L, 4L));
    }

    @Test
    void officialSdkStreamingChatCompletion() {
        try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Stream please")
                        .maxCompletionTokens(6).build())) {
            String text = stream.stream()
                    .flatMap(chunk -> chunk.choices().stream())
                    .map(choice -> choice.delta().content().orElse(""))
                    .collect(Collectors.joining());
            // the simulator writes one filler word per token, and may stop early (EOS)
            assertThat(text.trim().split(" ")).hasSizeBetween(1, 6);
        }
    }

    @Test
    void officialSdkCompletion() {
        Completion c = openai.completions().create(CompletionCreateParams.builder()
                .model(MODEL).prompt("Once upon a time").maxTokens(3).build());
        assertThat(c.choices().getFirst().text()).isNotBlank();
    }

    @Test
    void aRepeatedLongPromptReturnsToTheReplicaThatCachedIt() throws Exception {
        // the gateway tokenizes with the simulator's chat template: equal conversations give equal blocks on both
        String system = FillerText.sequence(400, 7);
        String body = "{\"model\":\"" + MODEL + "\",\"max_tokens\":2,\"messages\":[{\"role\":\"system\",\"content\":\""
                + system + "\"},{\"role\":\"user\",\"content\":\"question one\"}]}";
        HttpResponse<String> first = gw.post("/v1/chat/completions", body);
        assertThat(first.statusCode()).isEqualTo(200);
        String replica = first.headers().firstValue("x-jetway-endpoint").orElseThrow();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> again = gw.post("/v1/chat/completions", body.replace("question one", "question " + i));
            assertThat(again.headers().firstValue("x-jetway-endpoint")).hasValue(replica);
            JsonNode usage = new ObjectMapper().readTree(again.body()).path("usage");
            assertThat(usage.path("prompt_tokens_details").path("cached_tokens").asInt()).isGreaterThanOrEqualTo(384);
        }
    }
}
