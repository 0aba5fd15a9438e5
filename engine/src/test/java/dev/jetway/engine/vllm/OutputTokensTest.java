package dev.jetway.engine.vllm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class OutputTokensTest {

    @Test
    void outputTokensAreTheTokensOfTheFillerTextAServerPrints() {
        int[] prompt = Driver.tokens(17, 40);
        int offset = OutputTokens.offsetFor(prompt);
        assertThat(offset).isEqualTo(Math.floorMod(Arrays.hashCode(prompt), FillerText.WORDS.size()));
        int n = 3 * FillerText.WORDS.size() + 5; // wraps around the word list
        int[] printed = SimpleWordTokenizer.instance().encode(FillerText.sequence(n, offset));
        assertThat(printed).hasSize(n);
        for (int k = 0; k < n; k++) {
            assertThat(OutputTokens.id(offset, k)).as("token %d", k).isEqualTo(printed[k]);
        }
    }
}
