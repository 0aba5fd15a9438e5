package dev.jetway.bench.workload;

/**
 * A run of {@code length} synthetic tokens determined by {@code seed}. Prompts are built from segments, so requests
 * that start with the same segments share exactly those tokens: the prefix a cache can reuse.
 */
public record Segment(long seed, int length) {

    public Segment {
        if (length < 0) {
            throw new IllegalArgumentException("segment length must be >= 0: " + length);
        }
    }
}
