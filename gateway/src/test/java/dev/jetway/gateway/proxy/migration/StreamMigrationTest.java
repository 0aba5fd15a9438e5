package dev.jetway.gateway.proxy.migration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.gateway.metrics.MigrationOutcome;
import dev.jetway.gateway.request.ApiKind;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the client is sent around a failed leg, and what the next leg is asked for. */
class StreamMigrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static String chat(String id, String content) {
        return "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":7,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"logprobs\":null,"
                + "\"finish_reason\":null}]}\n\n";
    }

    private static String role(String id) {
        return "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":9,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
                + "\"finish_reason\":null}]}\n\n";
    }

    private static String text(String id, String text, String finish) {
        return "data: {\"id\":\"" + id + "\",\"object\":\"text_completion\",\"created\":7,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"text\":\"" + text + "\",\"logprobs\":null,\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}\n\n";
    }

    /** What the client gets for {@code upstream}, sent in one chunk. */
    private static String relay(StreamMigration m, String upstream) {
        ByteBuf in = Unpooled.copiedBuffer(upstream, StandardCharsets.UTF_8);
        ByteBuf out = m.relay(in, ALLOC);
        in.release();
        String s = out.toString(StandardCharsets.UTF_8);
        out.release();
        return s;
    }

    private static ByteBuf body(String json) {
        return Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
    }

    private static JsonNode json(byte[] body) throws Exception {
        return JSON.readTree(body);
    }

    private static List<JsonNode> events(String sse) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String event : sse.split("\n\n")) {
            if (event.startsWith("data: ") && !event.equals("data: [DONE]")) {
                out.add(JSON.readTree(event.substring(6)));
            }
        }
        return out;
    }

    @Test
    void wholeEventsPassUntouchedAndAHalfEventIsHeldUntilItEnds() {
        StreamMigration m = new StreamMigration(ApiKind.COMPLETIONS, 3, null);
        ByteBuf whole = Unpooled.copiedBuffer(text("a", " one", null), StandardCharsets.UTF_8);
        ByteBuf out = m.relay(whole, ALLOC);
        assertThat(out).as("no copy of whole events").isSameAs(whole);
        out.release();
        whole.release();

        String event = text("a", " two", null);
        assertThat(relay(m, event.substring(0, 30))).isEmpty();
        assertThat(relay(m, event.substring(30) + event.substring(0, 10))).isEqualTo(event);
        assertThat(relay(m, event.substring(10).replace("\n\n", "\r\n\r\n"))).isEqualTo(
                event.substring(0, 10) + event.substring(10).replace("\n\n", "\r\n\r\n"));
        assertThat(m.tokensSent()).isEqualTo(3);
    }

    @Test
    void aCompletionContinuesWithThePromptPlusTheTextAndTheRemainingTokens() throws Exception {
        StreamMigration m = new StreamMigration(ApiKind.COMPLETIONS, 3, SimpleWordTokenizer.instance());
        relay(m, text("cmpl-1", " alpha", null) + text("cmpl-1", " beta gamma", null));
        // the leg died in the middle of the next event: the client never sees the half
        assertThat(relay(m, text("cmpl-1", " delta", null).substring(0, 40))).isEmpty();

        StreamMigration.Plan plan = m.next(body("{\"model\":\"m\",\"prompt\":\"Once\",\"max_tokens\":10,"
                + "\"min_tokens\":4,\"stream\":true,\"prompt_logprobs\":1,\"ignore_eos\":true}"), 1);
        assertThat(plan).isInstanceOf(StreamMigration.Continue.class);
        StreamMigration.Continue next = (StreamMigration.Continue) plan;
        JsonNode sent = json(next.body());
        assertThat(sent.get("prompt").asText()).isEqualTo("Once alpha beta gamma");
        assertThat(sent.get("max_tokens").asInt()).isEqualTo(7);
        assertThat(next.remainingTokens()).isEqualTo(7);
        assertThat(sent.get("min_tokens").asInt()).isEqualTo(1);
        assertThat(sent.has("prompt_logprobs")).isFalse();
        assertThat(sent.get("ignore_eos").asBoolean()).isTrue();
        assertThat(m.migrations()).isEqualTo(1);

        // the second leg, as its own response: other id, its own usage
        String leg = text("cmpl-2", " epsilon", null) + text("cmpl-2", " zeta", "length")
                + "data: {\"id\":\"cmpl-2\",\"object\":\"text_completion\",\"created\":8,\"model\":\"m\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"total_tokens\":7,\"completion_tokens\":2,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":4}}}\n\ndata: [DONE]\n\n";
        String client = relay(m, leg);
        List<JsonNode> chunks = events(client);
        assertThat(chunks).extracting(c -> c.get("id").asText()).containsOnly("cmpl-1");
        assertThat(chunks).extracting(c -> c.get("created").asLong()).containsOnly(7L);
        JsonNode usage = chunks.getLast().get("usage");
        assertThat(usage.get("prompt_tokens").asInt()).as("the client's prompt: the leg's less the 3 sent").isEqualTo(2);
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(5);
        assertThat(usage.get("total_tokens").asInt()).isEqualTo(7);
        assertThat(usage.get("prompt_tokens_details").get("cached_tokens").asInt()).isEqualTo(2);
        assertThat(client).endsWith("data: [DONE]\n\n");
        assertThat(m.tokensSent()).isEqualTo(5);
    }

    @Test
    void aChatContinuesTheAssistantMessageAndTheRoleChunkIsNotSentTwice() throws Exception {
        StreamMigration m = new StreamMigration(ApiKind.CHAT_COMPLETIONS, 3, SimpleWordTokenizer.instance());
        relay(m, role("chatcmpl-1") + chat("chatcmpl-1", "Hello") + chat("chatcmpl-1", " there"));
        StreamMigration.Continue next = (StreamMigration.Continue) m.next(body("{\"model\":\"m\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":6,\"max_tokens\":99,"
                + "\"stream\":true}"), 1);
        JsonNode sent = json(next.body());
        assertThat(sent.get("messages")).hasSize(2);
        assertThat(sent.get("messages").get(1).get("role").asText()).isEqualTo("assistant");
        assertThat(sent.get("messages").get(1).get("content").asText()).isEqualTo("Hello there");
        assertThat(sent.get("continue_final_message").asBoolean()).isTrue();
        assertThat(sent.get("add_generation_prompt").asBoolean()).isFalse();
        assertThat(sent.get("max_completion_tokens").asInt()).isEqualTo(4);

        String client = relay(m, role("chatcmpl-2") + chat("chatcmpl-2", " again") + "data: [DONE]\n\n");
        assertThat(client).doesNotContain("role").doesNotContain("chatcmpl-2");
        assertThat(events(client)).hasSize(1);
        assertThat(events(client).getFirst().get("choices").get(0).get("delta").get("content").asText())
                .isEqualTo(" again");

        // the client itself continued an assistant message: the answer is added to that message
        StreamMigration own = new StreamMigration(ApiKind.CHAT_COMPLETIONS, 3, SimpleWordTokenizer.instance());
        relay(own, role("c") + chat("c", " world"));
        JsonNode ownSent = json(((StreamMigration.Continue) own.next(body("{\"model\":\"m\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"Hello\"}],"
                + "\"continue_final_message\":true,\"add_generation_prompt\":false,\"stream\":true}"), 1)).body());
        assertThat(ownSent.get("messages")).hasSize(2);
        assertThat(ownSent.get("messages").get(1).get("content").asText()).isEqualTo("Hello world");
    }

    @Test
    void aContinuationsEventOfSeveralDataLinesReachesTheClientWithTheSameLines() {
        // found by MigrationRelayFuzzTest: an event that is not a JSON chunk passes as it came, but its data lines,
        // joined with a newline, went out as one data line, the rest of which the client read as other fields
        StreamMigration m = new StreamMigration(ApiKind.COMPLETIONS, 3, null);
        relay(m, text("a", " one", null));
        assertThat(m.next(body("{\"model\":\"m\",\"prompt\":\"x\",\"stream\":true}"), 1))
                .isInstanceOf(StreamMigration.Continue.class);
        String client = relay(m, "data: {\"id\":\"b\",\"created\":7\ndata: :12}}\n\ndata: [DONE]\n\n");
        assertThat(client).isEqualTo("data: {\"id\":\"b\",\"created\":7\ndata: :12}}\n\ndata: [DONE]\n\n");
        // a JSON chunk spread over data lines is one chunk, rewritten on one line
        String pretty = relay(m, "data: {\"id\":\"c\",\ndata: \"choices\":[]}\n\n");
        assertThat(pretty).isEqualTo("data: {\"id\":\"a\",\"choices\":[]}\n\n");
    }

    @Test
    void nothingStreamedYetAsksForTheWholeAnswerAgain() throws Exception {
        StreamMigration m = new StreamMigration(ApiKind.CHAT_COMPLETIONS, 3, SimpleWordTokenizer.instance());
        relay(m, role("c"));
        JsonNode sent = json(((StreamMigration.Continue) m.next(body("{\"model\":\"m\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":6,\"stream\":true}"), 1)).body());
        assertThat(sent.get("messages")).hasSize(1);
        assertThat(sent.has("continue_final_message")).isFalse();
        assertThat(sent.get("max_tokens").asInt()).isEqualTo(6);
    }

    @Test
    void aStreamThatCannotBeContinuedFaithfullyGivesUp() {
        String[][] cases = {
                {"{\"model\":\"m\",\"prompt\":\"x\",\"n\":2,\"stream\":true}", "n > 1"},
                {"{\"model\":\"m\",\"prompt\":\"x\",\"logprobs\":2,\"stream\":true}", "logprobs"},
                {"{\"model\":\"m\",\"prompt\":\"x\",\"echo\":true,\"stream\":true}", "echo"},
                {"{\"model\":\"m\",\"prompt\":[1,2,3],\"stream\":true}", "token ids"},
                {"{\"model\":\"m\",\"prompt\":\"x\",\"response_format\":{\"type\":\"json_object\"},\"stream\":true}",
                        "structured output"},
                {"{\"model\":\"m\",\"prompt\":\"x\",\"guided_regex\":\"a+\",\"stream\":true}", "guided_regex"},
        };
        for (String[] c : cases) {
            StreamMigration m = new StreamMigration(ApiKind.COMPLETIONS, 3, null);
            relay(m, text("a", " one", null));
            StreamMigration.Plan plan = m.next(body(c[0]), 1);
            assertThat(plan).as(c[0]).isInstanceOf(StreamMigration.GiveUp.class);
            assertThat(((StreamMigration.GiveUp) plan).outcome()).isEqualTo(MigrationOutcome.NOT_MIGRATABLE);
            assertThat(((StreamMigration.GiveUp) plan).reason()).contains(c[1]);
        }
        String chat = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":true}";
        StreamMigration tools = new StreamMigration(ApiKind.CHAT_COMPLETIONS, 3, null);
        relay(tools, "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                + "\"function\":{\"name\":\"f\"}}]},\"finish_reason\":null}]}\n\n");
        assertThat(((StreamMigration.GiveUp) tools.next(body(chat), 1)).reason()).contains("tool calls");
        StreamMigration reasoning = new StreamMigration(ApiKind.CHAT_COMPLETIONS, 3, null);
        relay(reasoning, "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":"
                + "\"hmm\"},\"finish_reason\":null}]}\n\n");
        assertThat(((StreamMigration.GiveUp) reasoning.next(body(chat), 1)).reason()).contains("reasoning");
    }

    @Test
    void theLimitCountsContinuationLegsAndZeroTurnsMigrationOff() {
        String request = "{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":50,\"stream\":true}";
        StreamMigration m = new StreamMigration(ApiKind.COMPLETIONS, 2, null);
        relay(m, text("a", " one", null));
        assertThat(m.next(body(request), 1)).isInstanceOf(StreamMigration.Continue.class);
        assertThat(m.next(body(request), 1)).isInstanceOf(StreamMigration.Continue.class);
        StreamMigration.Plan third = m.next(body(request), 1);
        assertThat(((StreamMigration.GiveUp) third).outcome()).isEqualTo(MigrationOutcome.LIMIT_REACHED);

        StreamMigration off = new StreamMigration(ApiKind.COMPLETIONS, 0, null);
        relay(off, text("a", " one", null));
        assertThat(((StreamMigration.GiveUp) off.next(body(request), 1)).outcome())
                .isEqualTo(MigrationOutcome.DISABLED);
    }

    @Test
    void aStreamWithNothingLeftToGenerateIsEndedByTheGateway() throws Exception {
        String request = "{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":2,\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}";
        // every token went out, only the last chunk was lost
        StreamMigration full = new StreamMigration(ApiKind.COMPLETIONS, 3, SimpleWordTokenizer.instance());
        relay(full, text("a", " one", null) + text("a", " two", null));
        StreamMigration.Finish finish = (StreamMigration.Finish) full.next(body(request), 11);
        String tail = finish.tail().toString(StandardCharsets.UTF_8);
        finish.tail().release();
        List<JsonNode> chunks = events(tail);
        assertThat(chunks.getFirst().get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
        assertThat(chunks.getFirst().get("id").asText()).isEqualTo("a");
        assertThat(chunks.getLast().get("usage").get("completion_tokens").asInt()).isEqualTo(2);
        assertThat(chunks.getLast().get("usage").get("prompt_tokens").asInt()).isEqualTo(11);
        assertThat(tail).endsWith("data: [DONE]\n\n");

        // the finish went out, [DONE] did not
        StreamMigration finished = new StreamMigration(ApiKind.COMPLETIONS, 3, null);
        relay(finished, text("a", " one", "stop"));
        String rest = ((StreamMigration.Finish) finished.next(body(request.replace("2", "9")), 1)).tail()
                .toString(StandardCharsets.UTF_8);
        assertThat(events(rest)).hasSize(1); // the usage only
        assertThat(rest).endsWith("data: [DONE]\n\n");
    }
}
