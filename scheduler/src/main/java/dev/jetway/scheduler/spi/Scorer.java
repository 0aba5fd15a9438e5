package dev.jetway.scheduler.spi;

/**
 * Rates each remaining endpoint. The profile clamps every score to [0, 1], multiplies it by the scorer's weight
 * and sums the products (llm-d's exact rule), so a scorer only has to be monotone in "better".
 */
public interface Scorer extends Plugin {

    ScorerCategory category();

    /** Writes the score of {@code candidates.get(i)} into {@code scores[i]} for every {@code i < size()}. */
    void score(SchedulingContext context, Candidates candidates, double[] scores);
}
