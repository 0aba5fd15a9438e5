package dev.jetway.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.engine.vllm.OutputTokens;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import org.junit.jupiter.api.Test;

class PromptTest {

    @Test
    void engineAnswerIsExactlyWhatTheModelledEngineGenerates() {
        Prompt prompt = Prompt.of(new Segment(7, 300), new Segment(11, 45));
        int[] tokens = prompt.tokens();
        assertThat(prompt.engineOutputOffset()).isEqualTo(OutputTokens.offsetFor(tokens));
        Segment answer = prompt.engineAnswer(200);
        int[] answerTokens = Prompt.of(answer).tokens();
        for (int k = 0; k < answerTokens.length; k++) {
            assertThat(answerTokens[k]).as("token %d", k).isEqualTo(OutputTokens.id(prompt.engineOutputOffset(), k));
        }
    }

    @Test
    void generatedSegmentsKeepTextAndTokensInStep() {
        Prompt prompt = Prompt.of(new Segment(3, 20), Segment.engineOutput(125, 10), new Segment(4, 5));
        assertThat(SimpleWordTokenizer.instance().encode(prompt.text())).containsExactly(prompt.tokens());
        assertThat(prompt.tokenCount()).isEqualTo(35);
        // the cycle wraps: word 125 + 9 is word (134 mod words)
        assertThat(Segment.engineOutput(125, 10)).isNotEqualTo(new Segment(125, 10));
    }
}
