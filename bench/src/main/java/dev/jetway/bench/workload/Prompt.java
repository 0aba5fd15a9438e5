package dev.jetway.bench.workload;

import dev.jetway.kvcache.tokenize.FillerText;
import java.util.ArrayList;
import java.util.List;

/**
 * A synthetic prompt as a list of {@link Segment}s. Text and token ids are produced on demand (a long trace would
 * not fit in memory as text), and they agree: {@code SimpleWordTokenizer.encode(text())} equals {@code tokens()}.
 */
public record Prompt(List<Segment> segments) {

    public Prompt {
        segments = List.copyOf(segments);
    }

    public static Prompt of(Segment... segments) {
        return new Prompt(List.of(segments));
    }

    public int tokenCount() {
        int n = 0;
        for (Segment s : segments) {
            n += s.length();
        }
        return n;
    }

    /** This prompt followed by {@code more}. */
    public Prompt append(Segment... more) {
        List<Segment> all = new ArrayList<>(segments.size() + more.length);
        all.addAll(segments);
        all.addAll(List.of(more));
        return new Prompt(all);
    }

    /** The prompt text: one filler word (with its leading space) per token. */
    public String text() {
        StringBuilder sb = new StringBuilder(tokenCount() * 7);
        for (Segment s : segments) {
            for (int j = 0; j < s.length(); j++) {
                sb.append(FillerText.word(s.word(j)));
            }
        }
        return sb.toString();
    }

    /** The token ids the Jetway tokenizer gives for {@link #text()}, computed without tokenizing. */
    public int[] tokens() {
        int[] out = new int[tokenCount()];
        int i = 0;
        for (Segment s : segments) {
            for (int j = 0; j < s.length(); j++) {
                out[i++] = FillerWords.tokenId(s.word(j));
            }
        }
        return out;
    }

    /**
     * Where the modelled engine's answer to this prompt starts in the filler-word cycle: the engine derives it from
     * {@code Arrays.hashCode} of the prompt's tokens ({@code OutputTokens.offsetFor}); computed here without building
     * the token array; {@link #engineAnswer} is then exactly what the engine generates.
     */
    public int engineOutputOffset() {
        int h = 1;
        for (Segment s : segments) {
            for (int j = 0; j < s.length(); j++) {
                h = 31 * h + FillerWords.tokenId(s.word(j));
            }
        }
        return Math.floorMod(h, FillerWords.COUNT);
    }

    /** The {@code length} tokens the modelled engine answers this prompt with (ignoring EOS). */
    public Segment engineAnswer(int length) {
        return Segment.engineOutput(engineOutputOffset(), length);
    }
}
