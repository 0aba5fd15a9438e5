package dev.jetway.kvcache.tokenize;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Readable filler words, each exactly one {@link SimpleWordTokenizer} token when written with a leading space.
 * Used for simulated output text and for synthetic prompts of an exact token length.
 */
public final class FillerText {

    /** Lower-case words of at most {@value SimpleWordTokenizer#MAX_WORD_CHARS} letters. */
    public static final List<String> WORDS = List.of(
            "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not",
            "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you", "were",
            "their", "one", "all", "we", "can", "her", "has", "there", "been", "if", "more", "when", "will", "would",
            "who", "so", "no", "model", "cache", "token", "prefix", "block", "replica", "route", "gateway", "request",
            "latency", "queue", "batch", "decode", "prefill", "memory", "engine", "server", "stream", "prompt",
            "answer", "question", "system", "user", "data", "time", "first", "second", "value", "signal", "river",
            "mountain", "forest", "ocean", "cloud", "light", "stone", "paper", "window", "garden", "bridge", "train",
            "market", "city", "village", "music", "story", "color", "number", "letter", "circle", "square", "planet",
            "winter", "summer", "morning", "evening", "quiet", "rapid", "gentle", "bright", "simple", "steady",
            "careful", "useful", "common", "modern", "ancient", "golden", "silver", "orange", "purple", "yellow");

    private FillerText() {
    }

    /** The {@code index}-th word of the cycle, with its leading space: one token. */
    public static String word(int index) {
        return " " + WORDS.get(Math.floorMod(index, WORDS.size()));
    }

    /** {@code tokens} filler words, deterministic from {@code offset}: exactly {@code tokens} tokens. */
    public static String sequence(int tokens, int offset) {
        StringBuilder sb = new StringBuilder(tokens * 7);
        for (int i = 0; i < tokens; i++) {
            sb.append(word(offset + i));
        }
        return sb.toString();
    }

    /** {@code tokens} random filler words: exactly {@code tokens} tokens. */
    public static String random(int tokens, RandomGenerator rng) {
        StringBuilder sb = new StringBuilder(tokens * 7);
        for (int i = 0; i < tokens; i++) {
            sb.append(' ').append(WORDS.get(rng.nextInt(WORDS.size())));
        }
        return sb.toString();
    }
}
