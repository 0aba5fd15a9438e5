package dev.jetway.kvcache.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ByteEstimateTokenizerTest {

    /** The reference definition: UTF-8 bytes, little-endian 4-byte words, last one zero-padded. */
    private static int[] reference(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] padded = java.util.Arrays.copyOf(b, (b.length + 3) / 4 * 4);
        int[] out = new int[padded.length / 4];
        ByteBuffer.wrap(padded).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "abcd", "abcde", "héllo wörld", "日本語のテキスト", "emoji 😀 mixed", "\uD800 lone",
            "tail\uDBFF"})
    void packsUtf8BytesFourPerToken(String text) {
        assertThat(ByteEstimateTokenizer.instance().encode(text)).containsExactly(reference(text));
        assertThat(ByteEstimateTokenizer.instance().count(text)).isEqualTo(reference(text).length);
    }

    @Test
    void equalPrefixesGiveEqualPseudoTokens() {
        int[] a = ByteEstimateTokenizer.instance().encode("system prompt shared" + " question one");
        int[] b = ByteEstimateTokenizer.instance().encode("system prompt shared" + " another");
        assertThat(a[0]).isEqualTo(b[0]);
        assertThat(java.util.Arrays.copyOf(a, 5)).containsExactly(java.util.Arrays.copyOf(b, 5));
    }
}
