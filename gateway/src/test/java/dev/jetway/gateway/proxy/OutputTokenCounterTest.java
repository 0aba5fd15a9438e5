package dev.jetway.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Generated tokens read from relayed bytes: SSE chunks (chat and completions) and JSON bodies, split anywhere. */
class OutputTokenCounterTest {

    private static final String COMPLETION_STREAM = ""
            + "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
            + "\"text\":\" Hello\",\"logprobs\":null,\"finish_reason\":null,\"stop_reason\":null}]}\n\n"
            + "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
            + "\"text\":\" world\",\"logprobs\":null,\"finish_reason\":null,\"stop_reason\":null}]}\n\n"
            + "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
            + "\"text\":\"!\",\"logprobs\":null,\"finish_reason\":\"length\",\"stop_reason\":null}]}\n\n"
            + "data: [DONE]\n\n";

    private static final String CHAT_ROLE = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
            + "\"logprobs\":null,\"finish_reason\":null}]}\n\n";

    private static String chatToken(String content, String finish) {
        return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"logprobs\":null,"
                + "\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]}\n\n";
    }

    private static final String CHAT_FINISH = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,"
            + "\"finish_reason\":\"stop\",\"stop_reason\":null}]}\n\n";

    private static String usageChunk(int completionTokens) {
        return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"total_tokens\":" + (12 + completionTokens)
                + ",\"completion_tokens\":" + completionTokens + ",\"prompt_tokens_details\":{\"cached_tokens\":0}}}\n\n";
    }

    private static final String CHAT_STREAM = CHAT_ROLE + chatToken("Hel", null) + chatToken("lo", null)
            + chatToken(" there", null) + chatToken("\\\"quoted\\\" \\\\", null) + CHAT_FINISH + "data: [DONE]\n\n";

    private static final String JSON_BODY = "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,"
            + "\"model\":\"m\",\"choices\":[{\"index\":0,\"text\":\" a \\\"usage\\\":{\\\"completion_tokens\\\":99} b\","
            + "\"finish_reason\":\"length\",\"logprobs\":null}],"
            + "\"usage\":{\"prompt_tokens\":3,\"total_tokens\":10,\"completion_tokens\":7,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":0}},\"kv_transfer_params\":null}";

    /** The count is the same however the bytes are cut into chunks: whole, at every position, byte by byte. */
    private static int countSplitEveryWay(Supplier<OutputTokenCounter> fresh, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputTokenCounter whole = fresh.get();
        whole.scan(Unpooled.wrappedBuffer(bytes));
        int expected = whole.outputTokens();
        for (int cut = 1; cut < bytes.length; cut++) {
            OutputTokenCounter split = fresh.get();
            split.scan(Unpooled.wrappedBuffer(bytes, 0, cut));
            split.scan(Unpooled.wrappedBuffer(bytes, cut, bytes.length - cut));
            assertThat(split.outputTokens()).as("split at %d", cut).isEqualTo(expected);
        }
        OutputTokenCounter bytewise = fresh.get();
        for (byte b : bytes) {
            bytewise.scan(new byte[] {b}, 0, 1);
        }
        assertThat(bytewise.outputTokens()).isEqualTo(expected);
        return expected;
    }

    @Test
    void completionStreamCountsChunksWithText() {
        assertThat(countSplitEveryWay(OutputTokenCounter::forEventStream, COMPLETION_STREAM)).isEqualTo(3);
    }

    @Test
    void chatStreamSkipsTheRoleChunkTheEmptyFinishChunkAndDone() {
        assertThat(countSplitEveryWay(OutputTokenCounter::forEventStream, CHAT_STREAM)).isEqualTo(4);
    }

    @Test
    void aUsageChunkWinsOverTheChunkCount() {
        String stream = CHAT_STREAM.replace("data: [DONE]\n\n", usageChunk(9) + "data: [DONE]\n\n");
        OutputTokenCounter c = OutputTokenCounter.forEventStream();
        c.scan(Unpooled.copiedBuffer(stream, StandardCharsets.UTF_8));
        assertThat(c.contentChunks()).isEqualTo(4);
        assertThat(c.usageCompletionTokens()).isEqualTo(9);
        assertThat(countSplitEveryWay(OutputTokenCounter::forEventStream, stream)).isEqualTo(9);
    }

    @Test
    void continuousUsageStatsLeaveTheLastValue() {
        String stream = chatToken("a", null).replace("}]}\n\n", "}],\"usage\":{\"completion_tokens\":1}}\n\n")
                + chatToken("b", null).replace("}]}\n\n", "}],\"usage\":{\"completion_tokens\":2}}\n\n")
                + "data: [DONE]\n\n";
        assertThat(countSplitEveryWay(OutputTokenCounter::forEventStream, stream)).isEqualTo(2);
    }

    @Test
    void simulatorStreamWithUsageChunk() {
        // jetway sim's shapes: role chunk, text chunks (several tokens each when the client lags), the final chunk
        // with the finish reason, the include_usage chunk
        String stream = CHAT_ROLE + chatToken("one two ", null) + chatToken("three ", null) + chatToken("", "length")
                + usageChunk(3) + "data: [DONE]\n\n";
        OutputTokenCounter c = OutputTokenCounter.forEventStream();
        c.scan(Unpooled.copiedBuffer(stream, StandardCharsets.UTF_8));
        assertThat(c.contentChunks()).isEqualTo(2);
        assertThat(c.outputTokens()).isEqualTo(3);
    }

    @Test
    void crlfLinesCommentsAndOtherFieldsAreSseSyntax() {
        String stream = ": keep-alive comment\r\n\r\n"
                + "event: message\r\nid: 7\r\n" + chatToken("x", null).replace("\n", "\r\n")
                + "retry: 100\n\n"
                + chatToken("y", null).replace("\n", "\r")
                + "data:" + chatToken("z", null).substring(6); // no space after the colon
        assertThat(countSplitEveryWay(OutputTokenCounter::forEventStream, stream)).isEqualTo(3);
    }

    @Test
    void reasoningAndToolCallDeltasAreGeneratedContent() {
        String reasoning = "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"hmm\"}}]}\n\n";
        String tool = "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                + "{\"arguments\":\"{\\\"a\\\":1}\"}}]}}]}\n\n";
        String emptyTools = "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[]}}]}\n\n";
        assertThat(countSplitEveryWay(OutputTokenCounter::forEventStream, reasoning + tool + emptyTools
                + "data: [DONE]\n\n")).isEqualTo(2);
    }

    @Test
    void onlyTopLevelUsageAndChoicesCount() {
        // nested look-alikes: a "usage" inside another object, "text" inside logprobs, strings that look like JSON
        String stream = "data: {\"choices\":[{\"index\":0,\"text\":\"\",\"logprobs\":{\"text\":\"x\",\"tokens\":[\"x\"]}}],"
                + "\"meta\":{\"usage\":{\"completion_tokens\":50}}}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"text\":\"\\\"usage\\\":{\\\"completion_tokens\\\":60}\"}]}\n\n";
        OutputTokenCounter c = OutputTokenCounter.forEventStream();
        c.scan(Unpooled.copiedBuffer(stream, StandardCharsets.UTF_8));
        assertThat(c.usageCompletionTokens()).isEqualTo(-1);
        assertThat(c.outputTokens()).isEqualTo(1);
    }

    @Test
    void aMalformedEventIsSkippedAndTheNextCounts() {
        String stream = "data: {\"choices\":[{\"text\":\"a\"}]}\n\n"
                + "data: {\"choices\":[{\"text\":\"b\" oops ]]]}\n\n"
                + "data: }}}\n\n"
                + "data: {\"choices\":[{\"text\":\"c\"}]}\n\n";
        assertThat(countSplitEveryWay(OutputTokenCounter::forEventStream, stream)).isEqualTo(2);
    }

    @Test
    void aStreamWithoutAnyJsonEventIsUnknown() {
        OutputTokenCounter c = OutputTokenCounter.forEventStream();
        c.scan(Unpooled.copiedBuffer("data: [DONE]\n\n", StandardCharsets.UTF_8));
        assertThat(c.outputTokens()).isEqualTo(-1);
    }

    @Test
    void jsonBodyReadsUsageCompletionTokens() {
        assertThat(countSplitEveryWay(OutputTokenCounter::forJsonBody, JSON_BODY)).isEqualTo(7);
        String chat = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"hi there\",\"tool_calls\":[]},\"finish_reason\":\"stop\"}],"
                + "\"usage\": {\"prompt_tokens\": 5, \"completion_tokens\": 123, \"total_tokens\": 128}}";
        assertThat(countSplitEveryWay(OutputTokenCounter::forJsonBody, chat)).isEqualTo(123);
    }

    @Test
    void theUsagesPromptAndCachedTokensAreReadWhereverTheBytesAreCut() {
        String body = JSON_BODY.replace("\"cached_tokens\":0", "\"cached_tokens\":2");
        assertUsageSplitEveryWay(OutputTokenCounter::forJsonBody, body, 3, 2);
        String usage = "data: {\"id\":\"cmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,"
                + "\"completion_tokens\":3,\"prompt_tokens_details\":{\"cached_tokens\":5}}}\n\n";
        assertUsageSplitEveryWay(OutputTokenCounter::forEventStream, COMPLETION_STREAM.replace("data: [DONE]\n\n",
                usage + "data: [DONE]\n\n"), 11, 5);
        // a prompt_tokens or cached_tokens anywhere but in the top-level usage is not the usage's
        OutputTokenCounter c = OutputTokenCounter.forJsonBody();
        c.scan(Unpooled.wrappedBuffer(("{\"x\":{\"prompt_tokens\":9,\"prompt_tokens_details\":{\"cached_tokens\":9}},"
                + "\"usage\":{\"completion_tokens\":1,\"cached_tokens\":4}}").getBytes(StandardCharsets.UTF_8)));
        assertThat(c.usagePromptTokens()).isEqualTo(-1);
        assertThat(c.usageCachedTokens()).isEqualTo(-1);
        assertThat(c.outputTokens()).isEqualTo(1);
    }

    private static void assertUsageSplitEveryWay(Supplier<OutputTokenCounter> fresh, String text, long prompt,
                                                 long cached) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int cut = 1; cut < bytes.length; cut++) {
            OutputTokenCounter split = fresh.get();
            split.scan(Unpooled.wrappedBuffer(bytes, 0, cut));
            split.scan(Unpooled.wrappedBuffer(bytes, cut, bytes.length - cut));
            assertThat(split.usagePromptTokens()).as("split at %d", cut).isEqualTo(prompt);
            assertThat(split.usageCachedTokens()).as("split at %d", cut).isEqualTo(cached);
        }
    }

    @Test
    void jsonBodyWithoutUsageIsUnknown() {
        assertThat(countSplitEveryWay(OutputTokenCounter::forJsonBody,
                "{\"choices\":[{\"text\":\"abc\"}],\"usage\":null}")).isEqualTo(-1);
        assertThat(countSplitEveryWay(OutputTokenCounter::forJsonBody,
                "{\"usage\":{\"completion_tokens\":-3}}")).isEqualTo(-1);
        assertThat(countSplitEveryWay(OutputTokenCounter::forJsonBody, "not json")).isEqualTo(-1);
    }

    @Test
    void scanningLeavesTheBufferAsItWas() {
        ByteBuf buf = Unpooled.copiedBuffer(JSON_BODY, StandardCharsets.UTF_8);
        buf.readerIndex(0);
        int reader = buf.readerIndex();
        int writer = buf.writerIndex();
        OutputTokenCounter c = OutputTokenCounter.forJsonBody();
        c.scan(buf);
        assertThat(buf.readerIndex()).isEqualTo(reader);
        assertThat(buf.writerIndex()).isEqualTo(writer);
        assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo(JSON_BODY);
        assertThat(c.outputTokens()).isEqualTo(7);
    }
}
