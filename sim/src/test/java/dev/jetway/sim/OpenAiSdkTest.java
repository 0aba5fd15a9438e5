package dev.jetway.sim;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The official OpenAI Java SDK, with strict response validation, as a client of the simulator. */
class OpenAiSdkTest {

    static SimCluster cluster;
    static OpenAIClient openai;
    static OpenAIClient lenient;

    @BeforeAll
    static void start() {
        cluster = SimCluster.start(SimOptions.defaults("sdk-model").withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100").withMaxModelLen(4096), 1);
        openai = OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + cluster.replicas().getFirst().httpPort() + "/v1")
                .apiKey("not-checked")
                .responseValidation(true)
                .maxRetries(0)
                .build();
        lenient = openai.withOptions(options -> options.responseValidation(false));
    }

    @AfterAll
    static void stop() {
        openai.close();
        cluster.close();
    }

    @Test
    void chatCompletion() {
        ChatCompletion completion = openai.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("sdk-model")
                .addSystemMessage("You are terse.")
                .addUserMessage("Say something.")
                .maxCompletionTokens(6)
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true))
                .build());

        assertThat(completion.model()).isEqualTo("sdk-model");
        String content = completion.choices().getFirst().message().content().orElseThrow();
        assertThat(SimpleWordTokenizer.instance().count(content)).isEqualTo(6);
        assertThat(completion.choices().getFirst().finishReason())
                .isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(6);
    }

    @Test
    void streamingChatCompletionWithUsage() {
        List<String> deltas = new ArrayList<>();
        List<Long> usage = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder()
                        .model("sdk-model")
                        .addUserMessage("Stream please.")
                        .maxCompletionTokens(5)
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                        .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true))
                        .build())) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(deltas::add));
                chunk.usage().ifPresent(u -> usage.add(u.completionTokens()));
            });
        }
        assertThat(SimpleWordTokenizer.instance().count(String.join("", deltas))).isEqualTo(5);
        assertThat(usage).containsExactly(5L);
    }

    @Test
    void completionAndStreamingCompletion() {
        Completion completion = openai.completions().create(CompletionCreateParams.builder()
                .model("sdk-model").prompt("Once upon a time").maxTokens(4)
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true)).build());
        assertThat(SimpleWordTokenizer.instance().count(completion.choices().getFirst().text())).isEqualTo(4);
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(4);

        // vLLM sends "finish_reason": null in every chunk but the last, which the SDK's strict validation of the
        // legacy Completion type rejects; real vLLM behaves the same, so this part reads without validation.
        StringBuilder text = new StringBuilder();
        try (StreamResponse<Completion> stream = lenient.completions().createStreaming(CompletionCreateParams.builder()
                .model("sdk-model").prompt("Once upon a time").maxTokens(3)
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true)).build())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(c -> text.append(c.text())));
        }
        assertThat(SimpleWordTokenizer.instance().count(text.toString())).isEqualTo(3);
    }

    @Test
    void unknownModelIsTheSdksNotFound() {
        assertThatThrownBy(() -> openai.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("missing").addUserMessage("hi").build()))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("does not exist");
    }
}
