package dev.jetway.bench.workload;

/**
 * A run of {@code length} synthetic tokens determined by {@code seed}. Prompts are built from segments, so requests
 * that start with the same segments share exactly those tokens: the prefix a cache can reuse.
 *
 * <p>A {@linkplain #engineOutput generated} segment is the answer the modelled engine gives: filler word
 * {@code seed + j} at position j, the sequence {@code dev.jetway.engine.vllm.OutputTokens} produces. A multi-turn
 * workload that puts it in the next turn sends back exactly the tokens the engine generated (and cached), as a real
 * chat client sends back the model's answer.
 *
 * @param generated the words run in sequence from {@code seed} (the engine's output) instead of being drawn from it
 */
public record Segment(long seed, int length, boolean generated) {

    public Segment {
        if (length < 0) {
            throw new IllegalArgumentException("segment length must be >= 0: " + length);
        }
    }

    public Segment(long seed, int length) {
        this(seed, length, false);
    }

    /** The {@code length} tokens the modelled engine generates for a prompt whose output offset is {@code offset}. */
    public static Segment engineOutput(int offset, int length) {
        return new Segment(offset, length, true);
    }

    /** Filler word index of token {@code position}. */
    int word(int position) {
        return generated ? (int) Math.floorMod(seed + position, (long) FillerWords.COUNT)
                : FillerWords.wordAt(seed, position);
    }
}
