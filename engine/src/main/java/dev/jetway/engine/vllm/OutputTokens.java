package dev.jetway.engine.vllm;

import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;

/**
 * The token ids the modelled engine "generates": output token {@code k} of every request is
 * {@link FillerText#word(int) FillerText.word(k)} under {@link SimpleWordTokenizer}. A server that writes
 * {@code FillerText.sequence(n, 0)} as the text of {@code n} output tokens therefore sends exactly what the engine
 * cached, and a multi-turn conversation that sends the answer back hits the answer's blocks.
 */
public final class OutputTokens {

    private static final int[] IDS = FillerText.WORDS.stream()
            .mapToInt(w -> SimpleWordTokenizer.instance().encode(" " + w)[0])
            .toArray();

    private OutputTokens() {
    }

    /** Token id of output token {@code k} (0-based). */
    public static int id(int k) {
        return IDS[k % IDS.length];
    }
}
