package dev.jetway.engine.vllm;

import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import java.util.Arrays;

/**
 * The token ids the modelled engine "generates". Output token {@code k} of a request is
 * {@code FillerText.word(offset + k)} under {@link SimpleWordTokenizer}, with {@code offset = }{@link #offsetFor}
 * of the prompt. A server that writes {@code FillerText.sequence(n, offset)} as the text of {@code n} output tokens
 * therefore sends exactly what the engine cached, and a multi-turn conversation that sends the answer back hits the
 * answer's blocks.
 */
public final class OutputTokens {

    private static final int[] IDS = FillerText.WORDS.stream()
            .mapToInt(w -> SimpleWordTokenizer.instance().encode(" " + w)[0])
            .toArray();

    private OutputTokens() {
    }

    /** Where in the filler word cycle a request's output starts: {@code floorMod(Arrays.hashCode(prompt), words)}. */
    public static int offsetFor(int[] promptTokens) {
        return Math.floorMod(Arrays.hashCode(promptTokens), IDS.length);
    }

    /** Token id of output token {@code k} (0-based) of a request whose output starts at {@code offset}. */
    public static int id(int offset, int k) {
        return IDS[(int) ((offset + (long) k) % IDS.length)];
    }
}
