package dev.jetway.engine.vllm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import org.junit.jupiter.api.Test;

class OutputTokensTest {

    @Test
    void outputTokensAreTheTokensOfTheFillerTextAServerPrints() {
        int n = 3 * FillerText.WORDS.size() + 5; // wraps around the word list
        int[] printed = SimpleWordTokenizer.instance().encode(FillerText.sequence(n, 0));
        assertThat(printed).hasSize(n);
        for (int k = 0; k < n; k++) {
            assertThat(OutputTokens.id(k)).as("token %d", k).isEqualTo(printed[k]);
        }
    }
}
