package dev.jetway.gateway.proxy.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The transcript's scanner on what model servers really send, and on what they should not. */
class StreamTranscriptTest {

    private static StreamTranscript read(String... payloads) {
        StreamTranscript t = new StreamTranscript();
        for (String p : payloads) {
            byte[] b = ("xx" + p + "yy").getBytes(StandardCharsets.UTF_8); // the data sits inside a larger array
            t.data(b, 2, b.length - 2);
        }
        return t;
    }

    @Test
    void readsTheIdentityTheTextAndTheEndOfAVllmStream() {
        StreamTranscript t = read(
                "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"Qwen/Qwen3\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
                        + "\"finish_reason\":null}],\"prompt_token_ids\":null}",
                "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"Qwen/Qwen3\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"logprobs\":null,\"finish_reason\":null,"
                        + "\"token_ids\":[1,2,[3]]}]}",
                " { \"id\" : \"other\" , \"choices\" : [ { \"index\" : 0 , \"delta\" : { \"content\" : \" there\" } ,"
                        + " \"finish_reason\" : \"length\" } ] , \"usage\" : { \"prompt_tokens\" : 5 , \"completion_tokens\""
                        + " : 2 , \"prompt_tokens_details\" : {\"cached_tokens\":0} } } ",
                "[DONE]");
        assertThat(t.id()).isEqualTo("chatcmpl-1");
        assertThat(t.object()).isEqualTo("chat.completion.chunk");
        assertThat(t.created()).isEqualTo(1_700_000_000L);
        assertThat(t.model()).isEqualTo("Qwen/Qwen3");
        assertThat(t.roleSent()).isTrue();
        assertThat(t.text()).isEqualTo("Hi there");
        assertThat(t.finishReason()).isEqualTo("length");
        assertThat(t.usageSent()).isTrue();
        assertThat(t.tokensSent(null)).isEqualTo(2);
        assertThat(t.done()).isTrue();
        assertThat(t.notContinuable()).isNull();
    }

    @Test
    void decodesEscapesAndUtf8() {
        StreamTranscript t = read("{\"choices\":[{\"index\":0,\"text\":\"a\\\"b\\\\c\\/d\\ne\\tf\\u00e9\"}]}",
                "{\"choices\":[{\"index\":0,\"text\":\" ünïcödé \\ud83d\\ude00 😀\"}]}");
        assertThat(t.text()).isEqualTo("a\"b\\c/d\ne\tfé ünïcödé 😀 😀");
        assertThat(t.tokensSent(null)).as("one per chunk with text, without usage or tokenizer").isEqualTo(2);
    }

    @Test
    void marksWhatCannotBeContinued() {
        assertThat(read("{\"choices\":[{\"index\":1,\"text\":\"x\"}]}").notContinuable()).contains("n > 1");
        assertThat(read("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0}]}}]}").notContinuable())
                .contains("tool calls");
        assertThat(read("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[ ]}}]}").notContinuable()).isNull();
        assertThat(read("{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"hm\"}}]}").notContinuable())
                .contains("reasoning");
        assertThat(read("{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"\",\"reasoning\":null}}]}")
                .notContinuable()).isNull();
        assertThat(read("{\"error\":{\"message\":\"engine dead\",\"code\":500}}").notContinuable()).contains("error");
        assertThat(read("{\"error\":null,\"choices\":[]}").notContinuable()).isNull();
        for (String bad : List.of("{\"choices\":[{\"text\":\"unterminated}]}", "{\"choices\":", "not json", "[1,2]",
                "{\"a\":1} trailing", "{\"a\":}", "{\"choices\":[{\"text\":\"\\u12\"}]}")) {
            assertThat(read(bad).notContinuable()).as(bad).isNotNull();
        }
    }

    @Test
    void anUnterminatedStringNeverReadsIntoTheNextEvent() {
        StreamTranscript t = new StreamTranscript();
        byte[] two = "{\"choices\":[{\"text\":\"abc{\"choices\":[{\"text\":\"zzz\"}]}".getBytes(StandardCharsets.UTF_8);
        t.data(two, 0, 20); // the first event ends in the middle of its string
        assertThat(t.text()).isEmpty();
        assertThat(t.notContinuable()).isNotNull();
    }

    @Test
    void theFramerHandsOnEachEventsDataWhateverItsLineEnds() {
        List<String> data = new ArrayList<>();
        SseFramer framer = new SseFramer();
        String stream = "data: {\"a\":1}\r\n\r\n: a comment\n\nevent: x\ndata: line one\ndata: line two\n\n"
                + "data:{\"b\":2}\r\rdata: [DONE]\n\n";
        StringBuilder forwarded = new StringBuilder();
        for (int cut = 0; cut < stream.length(); cut += 7) { // every chunking
            ByteBuf in = Unpooled.copiedBuffer(stream.substring(cut, Math.min(stream.length(), cut + 7)),
                    StandardCharsets.UTF_8);
            ByteBuf out = framer.frame(in, ByteBufAllocator.DEFAULT,
                    (b, from, to) -> data.add(new String(b, from, to - from, StandardCharsets.UTF_8)));
            forwarded.append(out.toString(StandardCharsets.UTF_8));
            out.release();
            in.release();
        }
        assertThat(data).containsExactly("{\"a\":1}", "line one\nline two", "{\"b\":2}", "[DONE]");
        assertThat(forwarded.toString()).isEqualTo(stream);
    }
}
