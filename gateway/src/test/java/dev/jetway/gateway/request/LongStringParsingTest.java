package dev.jetway.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Long prompts are read straight from the body bytes; whatever the shortcut, the text must be exactly what a JSON
 * parser reads, and bad strings must still be refused.
 */
class LongStringParsingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final RequestParser parser = new RequestParser(8 << 20);

    /** A random JSON string literal mixing ASCII words, non-ASCII letters, emoji and (when asked) escapes. */
    private static String literal(Random rng, int chars, boolean escapes) {
        String[] pieces = {"hello ", "world ", "ünïcödé ", "日本語 ", "😀 ", "tab\tless ", "x"};
        StringBuilder sb = new StringBuilder("\"");
        while (sb.length() < chars) {
            String p = pieces[rng.nextInt(pieces.length)];
            if (p.startsWith("tab")) {
                p = escapes ? "tab\\t\\\"q\\\" \\u00e9 " : "plain ";
            }
            sb.append(p);
        }
        return sb.append('"').toString();
    }

    private static String expected(String body, String field) throws Exception {
        return JSON.readTree(body).get(field).asText();
    }

    @Test
    void longPromptsReadTheSameAsAJsonParserReadsThemWhereverTheBodyLives() throws Exception {
        Random rng = new Random(42);
        for (int round = 0; round < 200; round++) {
            boolean escapes = round % 3 == 0;
            String body = "{\"model\":\"m\",\"prompt\":" + literal(rng, rng.nextInt(20, 5000), escapes)
                    + ",\"max_tokens\":" + round + ",\"stream\":true}";
            String want = expected(body, "prompt");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ParsedRequest parsed = parser.parse(ApiKind.COMPLETIONS, bytes);
            assertThat(parsed.promptText()).isEqualTo(want);
            // the parser resumes exactly after the string it did not scan itself
            assertThat(parsed.maxTokens()).isEqualTo(round);
            assertThat(parsed.stream()).isTrue();
            // inside a larger array, at an offset (a heap buffer's backing array)
            byte[] padded = new byte[bytes.length + 37];
            Arrays.fill(padded, (byte) '"');
            System.arraycopy(bytes, 0, padded, 13, bytes.length);
            assertThat(parser.parse(ApiKind.COMPLETIONS, padded, 13, bytes.length).promptText()).isEqualTo(want);
            ByteBuf heap = Unpooled.wrappedBuffer(padded, 13, bytes.length);
            assertThat(parser.parse(ApiKind.COMPLETIONS, heap).promptText()).isEqualTo(want);
            // a direct body split over several network reads, as the HTTP aggregator hands it over
            CompositeByteBuf composite = Unpooled.compositeBuffer();
            int cut = rng.nextInt(bytes.length);
            composite.addComponent(true, Unpooled.directBuffer().writeBytes(bytes, 0, cut));
            composite.addComponent(true, Unpooled.directBuffer().writeBytes(bytes, cut, bytes.length - cut));
            assertThat(parser.parse(ApiKind.COMPLETIONS, composite).promptText()).isEqualTo(want);
            composite.release();
        }
    }

    @Test
    void longChatContentReadsTheSameAsAJsonParserReadsIt() throws Exception {
        Random rng = new Random(7);
        String content = literal(rng, 3000, false);
        String part = literal(rng, 2000, true);
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":" + content + "},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":" + part + "}]}],\"max_tokens\":9}";
        ParsedRequest r = parser.parse(ApiKind.CHAT_COMPLETIONS, body.getBytes(StandardCharsets.UTF_8));
        assertThat(r.messages().get(0).content()).isEqualTo(JSON.readTree(content).asText());
        assertThat(r.messages().get(1).content()).isEqualTo(JSON.readTree(part).asText());
        assertThat(r.maxTokens()).isEqualTo(9);
    }

    @Test
    void aListOfLongPromptsRoutesOnTheFirstAndStillReadsWhatFollows() throws Exception {
        Random rng = new Random(3);
        String first = literal(rng, 4000, false);
        String body = "{\"prompt\":[" + first + "," + literal(rng, 4000, false) + "," + literal(rng, 300, true)
                + "],\"model\":\"m\",\"cache_salt\":\"s\"}";
        ParsedRequest r = parser.parse(ApiKind.COMPLETIONS, body.getBytes(StandardCharsets.UTF_8));
        assertThat(r.promptText()).isEqualTo(JSON.readTree(first).asText());
        assertThat(r.model()).isEqualTo("m");
        assertThat(r.cacheSalt()).isEqualTo("s");
    }

    @Test
    void aBodyWithAByteOrderMarkIsReadToo() throws Exception {
        String json = "{\"model\":\"m\",\"prompt\":\"" + "x".repeat(500) + "\",\"max_tokens\":2}";
        byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[utf8.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(utf8, 0, withBom, 3, utf8.length);
        ParsedRequest r = parser.parse(ApiKind.COMPLETIONS, withBom);
        assertThat(r.promptText()).isEqualTo("x".repeat(500));
        assertThat(r.maxTokens()).isEqualTo(2);
    }

    @Test
    void badBytesInALongPromptAreStillRefused() {
        String words = "word ".repeat(100);
        byte[] malformed = ("{\"model\":\"m\",\"prompt\":\"" + words + "\u0001\"}").getBytes(StandardCharsets.UTF_8);
        malformed[malformed.length - 3] = (byte) 0xC3; // a lead byte followed by a quote: not UTF-8
        byte[] control = ("{\"model\":\"m\",\"prompt\":\"" + words + "\u0001" + words + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] unterminated = ("{\"model\":\"m\",\"prompt\":\"" + words).getBytes(StandardCharsets.UTF_8);
        for (byte[] body : new byte[][] {malformed, control, unterminated}) {
            assertThatThrownBy(() -> parser.parse(ApiKind.COMPLETIONS, body)).isInstanceOf(BadRequestException.class);
        }
    }

    @Test
    void aLiteralReplacementCharacterIsKept() throws Exception {
        String body = "{\"model\":\"m\",\"prompt\":\"" + "a".repeat(100) + "\uFFFD" + "b".repeat(100) + "\"}";
        assertThat(parser.parse(ApiKind.COMPLETIONS, body.getBytes(StandardCharsets.UTF_8)).promptText())
                .isEqualTo(expected(body, "prompt"));
    }
}
