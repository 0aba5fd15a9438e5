package dev.jetway.kvcache.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimpleWordTokenizerTest {

    private final Tokenizer tokenizer = SimpleWordTokenizer.instance();

    @Test
    void splitsWordsWithTheirLeadingSpaceAndPunctuationAlone() {
        assertThat(tokenizer.encode("Hello, world!")).hasSize(4); // "Hello" "," " world" "!"
        assertThat(tokenizer.encode(" cache")).hasSize(1);
        assertThat(tokenizer.encode("a  b")).hasSize(3); // "a" " " " b"
        assertThat(tokenizer.encode("line\n\nnext")).hasSize(3);
        assertThat(tokenizer.encode("")).isEmpty();
    }

    @Test
    void idsAreStableAcrossReleases() {
        // Golden values: the sim and the gateway of different versions must agree.
        assertThat(tokenizer.encode("Hello, world!")).containsExactly(1968976203, 688690635, 545756637, 604802540);
    }

    @Test
    void sameTextSameIdsAndSpaceMatters() {
        assertThat(tokenizer.encode("the cache")).containsExactly(tokenizer.encode("the cache"));
        assertThat(tokenizer.encode(" the")[0]).isNotEqualTo(tokenizer.encode("the")[0]);
    }

    @Test
    void longRunsAreCutIntoPiecesOfSixteen() {
        assertThat(tokenizer.encode("a".repeat(40))).hasSize(3);
    }

    @Test
    void fillerWordsAreOneTokenEachAndConcatenationKeepsThePrefix() {
        for (int i = 0; i < FillerText.WORDS.size(); i++) {
            assertThat(tokenizer.encode(FillerText.word(i))).as(FillerText.word(i)).hasSize(1);
        }
        String prefix = FillerText.random(500, new SplittableRandom(1));
        String question = FillerText.random(37, new SplittableRandom(2));
        int[] whole = tokenizer.encode(prefix + question);
        assertThat(whole).hasSize(537);
        assertThat(Arrays.copyOf(whole, 500)).containsExactly(tokenizer.encode(prefix));
        assertThat(tokenizer.encode(FillerText.sequence(1000, 7))).hasSize(1000);
    }

    @Test
    void idsHashTheUtf8BytesOfEachToken() {
        for (String token : new String[] {"a", " cache", "é", "東京", "🚀", "\uD800"}) {
            int h = 0x811C9DC5;
            for (byte b : token.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                h = (h ^ (b & 0xFF)) * 0x01000193;
            }
            assertThat(SimpleWordTokenizer.idOf(token, 0, token.length())).as(token).isEqualTo(h & 0x7FFF_FFFF);
        }
    }

    @Test
    void idsAreNonNegativeAndHandleNonAscii() {
        for (int id : tokenizer.encode("naïve café 東京 🚀 ok")) {
            assertThat(id).isNotNegative();
        }
        assertThat(tokenizer.encode("東京")).hasSize(1);
    }
}
