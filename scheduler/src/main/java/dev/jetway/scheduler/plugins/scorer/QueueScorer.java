package dev.jetway.scheduler.plugins.scorer;

import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.SchedulingContext;
import dev.jetway.scheduler.spi.Scorer;
import dev.jetway.scheduler.spi.ScorerCategory;

/** {@code queue-scorer}: shorter waiting queue is better, min-max normalised over the candidates. */
public record QueueScorer(String name) implements Scorer {

    public static final String TYPE = "queue-scorer";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ScorerCategory category() {
        return ScorerCategory.DISTRIBUTION;
    }

    @Override
    public void score(SchedulingContext context, Candidates candidates, double[] scores) {
        int n = candidates.size();
        for (int i = 0; i < n; i++) {
            scores[i] = candidates.get(i).metrics().waitingRequests();
        }
        MinMax.lowerIsBetter(scores, n, scores);
    }
}
