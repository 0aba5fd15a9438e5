package dev.jetway.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OpenAiApiTest {

    static final String MODEL = "test-model";
    static SimCluster cluster;
    static SimClient client;

    @BeforeAll
    static void start() {
        cluster = SimCluster.start(SimOptions.defaults(MODEL).withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100").withMaxModelLen(4096)
                .withLoraModules(Map.of("tuned", "/adapters/tuned"), 1), 1);
        client = new SimClient(cluster.replicas().getFirst());
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    static String words(int n, int offset) {
        return FillerText.sequence(n, offset).substring(1);
    }

    @Test
    void completionReturnsExactlyMaxTokensOfFillerTextWithUsage() {
        JsonNode response = client.postJson("/v1/completions",
                "{\"model\":\"test-model\",\"prompt\":\"" + words(20, 0) + "\",\"max_tokens\":7,\"ignore_eos\":true}");

        assertThat(response.get("id").asText()).startsWith("cmpl-");
        assertThat(response.get("object").asText()).isEqualTo("text_completion");
        assertThat(response.get("model").asText()).isEqualTo(MODEL);
        JsonNode choice = response.get("choices").get(0);
        assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
        assertThat(SimpleWordTokenizer.instance().count(choice.get("text").asText())).isEqualTo(7);
        JsonNode usage = response.get("usage");
        assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(20);
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(7);
        assertThat(usage.get("total_tokens").asInt()).isEqualTo(27);
        assertThat(usage.get("prompt_tokens_details").get("cached_tokens").asInt()).isZero();
    }

    @Test
    void tokenIdPromptsAndSingleElementListsAreAccepted() {
        JsonNode ids = client.postJson("/v1/completions",
                "{\"model\":\"test-model\",\"prompt\":[11,22,33,44,55],\"max_tokens\":2,\"ignore_eos\":true}");
        assertThat(ids.get("usage").get("prompt_tokens").asInt()).isEqualTo(5);

        JsonNode nested = client.postJson("/v1/completions",
                "{\"model\":\"test-model\",\"prompt\":[[1,2,3]],\"max_tokens\":1}");
        assertThat(nested.get("usage").get("prompt_tokens").asInt()).isEqualTo(3);

        JsonNode list = client.postJson("/v1/completions",
                "{\"model\":\"test-model\",\"prompt\":[\"one two three four\"],\"max_tokens\":1}");
        assertThat(list.get("usage").get("prompt_tokens").asInt()).isEqualTo(4);
    }

    @Test
    void repeatedPrefixIsReportedAsCachedTokens() {
        String prefix = words(200, 3);
        client.postJson("/v1/completions", "{\"model\":\"test-model\",\"prompt\":\"" + prefix + " first\",\"max_tokens\":1}");
        JsonNode second = client.postJson("/v1/completions",
                "{\"model\":\"test-model\",\"prompt\":\"" + prefix + " second question\",\"max_tokens\":1}");

        int cached = second.get("usage").get("prompt_tokens_details").get("cached_tokens").asInt();
        // 200 shared tokens = 12 full blocks of 16 tokens; vLLM counts full blocks only.
        assertThat(cached).isEqualTo(192);
    }

    @Test
    void chatCompletionUsesTheDocumentedTemplate() {
        String body = "{\"model\":\"test-model\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hello there\"}]}],"
                + "\"max_completion_tokens\":4,\"ignore_eos\":true}";
        JsonNode response = client.postJson("/v1/chat/completions", body);

        String rendered = "<|system|>\nbe brief\n<|user|>\nhello there\n<|assistant|>\n";
        assertThat(response.get("object").asText()).isEqualTo("chat.completion");
        assertThat(response.get("id").asText()).startsWith("chatcmpl-");
        JsonNode message = response.get("choices").get(0).get("message");
        assertThat(message.get("role").asText()).isEqualTo("assistant");
        assertThat(SimpleWordTokenizer.instance().count(message.get("content").asText())).isEqualTo(4);
        assertThat(response.get("usage").get("prompt_tokens").asInt())
                .isEqualTo(SimpleWordTokenizer.instance().count(rendered));

        JsonNode tokenized = client.postJson("/tokenize", "{\"model\":\"test-model\",\"messages\":"
                + "[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hello there\"}]}");
        assertThat(tokenized.get("count").asInt()).isEqualTo(SimpleWordTokenizer.instance().count(rendered));
        assertThat(tokenized.get("max_model_len").asInt()).isEqualTo(4096);
    }

    @Test
    void continueFinalMessageLeavesTheAssistantMessageOpenForTheModelToContinue() {
        // what a gateway sends when it moves a half-streamed chat answer to another replica
        String body = "{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"},"
                + "{\"role\":\"assistant\",\"content\":\"Lorem ipsum dolor\"}],\"continue_final_message\":true,"
                + "\"add_generation_prompt\":false,\"max_completion_tokens\":3,\"ignore_eos\":true}";
        JsonNode response = client.postJson("/v1/chat/completions", body);

        String open = "<|user|>\nhello there\n<|assistant|>\nLorem ipsum dolor";
        assertThat(response.get("usage").get("prompt_tokens").asInt())
                .isEqualTo(SimpleWordTokenizer.instance().count(open));
        // the original prompt plus the three words already answered: the continuation's prompt grows by exactly them
        assertThat(response.get("usage").get("prompt_tokens").asInt()).isEqualTo(
                SimpleWordTokenizer.instance().count("<|user|>\nhello there\n<|assistant|>\n") + 3);
        assertThat(SimpleWordTokenizer.instance().count(
                response.get("choices").get(0).get("message").get("content").asText())).isEqualTo(3);

        JsonNode tokenized = client.postJson("/tokenize", "{\"model\":\"test-model\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"hello there\"},{\"role\":\"assistant\",\"content\":"
                + "\"Lorem ipsum dolor\"}],\"continue_final_message\":true,\"add_generation_prompt\":false}");
        assertThat(tokenized.get("count").asInt()).isEqualTo(SimpleWordTokenizer.instance().count(open));
    }

    @Test
    void streamingCompletionSendsTextChunksThenUsageAndDone() {
        List<JsonNode> events = client.stream("/v1/completions", "{\"model\":\"test-model\",\"prompt\":\"a b c\","
                + "\"max_tokens\":5,\"ignore_eos\":true,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

        assertThat(events.getLast().asText()).isEqualTo("[DONE]");
        JsonNode usageChunk = events.get(events.size() - 2);
        assertThat(usageChunk.get("choices")).isEmpty();
        assertThat(usageChunk.get("usage").get("completion_tokens").asInt()).isEqualTo(5);
        List<JsonNode> content = events.subList(0, events.size() - 2);
        StringBuilder text = new StringBuilder();
        for (JsonNode chunk : content) {
            assertThat(chunk.get("object").asText()).isEqualTo("text_completion");
            assertThat(chunk.has("usage")).isFalse();
            text.append(chunk.get("choices").get(0).get("text").asText());
        }
        assertThat(SimpleWordTokenizer.instance().count(text.toString())).isEqualTo(5);
        assertThat(content.getLast().get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
        // Only the last chunk finishes. (When the event loop falls behind, the outputs of several steps go out as
        // one chunk, as vLLM merges outputs its client has not read yet; on a busy host all five can be one chunk.)
        assertThat(content.subList(0, content.size() - 1))
                .allSatisfy(chunk -> assertThat(chunk.get("choices").get(0).get("finish_reason").isNull()).isTrue());
        assertThat(content).extracting(c -> c.get("id").asText()).containsOnly(content.getFirst().get("id").asText());
    }

    @Test
    void streamingChatStartsWithTheRoleAndEndsWithFinishReason() {
        List<JsonNode> events = client.stream("/v1/chat/completions", "{\"model\":\"test-model\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3,\"ignore_eos\":true,"
                + "\"stream\":true}");

        assertThat(events.getLast().asText()).isEqualTo("[DONE]");
        JsonNode first = events.getFirst();
        assertThat(first.get("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(first.get("choices").get(0).get("delta").get("role").asText()).isEqualTo("assistant");
        JsonNode last = events.get(events.size() - 2);
        assertThat(last.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
        StringBuilder text = new StringBuilder();
        for (JsonNode chunk : events.subList(1, events.size() - 1)) {
            text.append(chunk.get("choices").get(0).get("delta").path("content").asText());
        }
        assertThat(SimpleWordTokenizer.instance().count(text.toString())).isEqualTo(3);
    }

    @Test
    void withoutIgnoreEosTheModelStopsBetweenMinAndMaxTokens() {
        for (int i = 0; i < 5; i++) {
            JsonNode response = client.postJson("/v1/completions", "{\"model\":\"test-model\",\"prompt\":\"q " + i
                    + "\",\"max_tokens\":12,\"min_tokens\":4}");
            int generated = response.get("usage").get("completion_tokens").asInt();
            assertThat(generated).isBetween(4, 12);
            String reason = response.get("choices").get(0).get("finish_reason").asText();
            assertThat(reason).isEqualTo(generated == 12 ? reason : "stop").isIn("stop", "length");
        }
    }

    @Test
    void modelsListsTheBaseModelAndItsLoraAdapters() {
        JsonNode models = SimClient.parse(client.get("/v1/models").body());
        assertThat(models.get("object").asText()).isEqualTo("list");
        assertThat(models.get("data")).extracting(m -> m.get("id").asText()).containsExactly(MODEL, "tuned");
        assertThat(models.get("data").get(1).get("parent").asText()).isEqualTo(MODEL);
        assertThat(models.get("data").get(1).get("root").asText()).isEqualTo("/adapters/tuned");
    }

    @Test
    void loraAdapterIsServedUnderItsOwnNameAndShownInMetrics() {
        JsonNode response = client.postJson("/v1/completions",
                "{\"model\":\"tuned\",\"prompt\":\"adapter prompt\",\"max_tokens\":2}");
        assertThat(response.get("model").asText()).isEqualTo("tuned");

        PrometheusSamples metrics = PrometheusSamples.parse(client.get("/metrics").body());
        assertThat(metrics.keys()).anyMatch(k -> k.startsWith("vllm:lora_requests_info{max_lora=\"1\""));
    }

    @Test
    void healthAndTokenize() {
        assertThat(client.get("/health").statusCode()).isEqualTo(200);
        JsonNode tokens = client.postJson("/tokenize", "{\"model\":\"test-model\",\"prompt\":\"hello world\"}");
        assertThat(tokens.get("count").asInt()).isEqualTo(2);
        assertThat(tokens.get("tokens")).extracting(JsonNode::asInt)
                .containsExactly(SimpleWordTokenizer.instance().encode("hello world")[0],
                        SimpleWordTokenizer.instance().encode("hello world")[1]);
    }

    @Test
    void keepAliveConnectionServesManyRequests() {
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = client.post("/v1/completions",
                    "{\"model\":\"test-model\",\"prompt\":\"again " + i + "\",\"max_tokens\":1}");
            assertThat(response.statusCode()).isEqualTo(200);
        }
    }
}
