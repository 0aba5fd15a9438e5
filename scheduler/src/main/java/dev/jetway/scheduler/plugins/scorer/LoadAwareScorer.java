package dev.jetway.scheduler.plugins.scorer;

import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.SchedulingContext;
import dev.jetway.scheduler.spi.Scorer;
import dev.jetway.scheduler.spi.ScorerCategory;

/**
 * {@code load-aware-scorer}: by waiting queue {@code q}: 0.5 when empty, {@code 0.5 * (1 - q/threshold)} below
 * {@code threshold} (128), 0 at or above it. The maximum is 0.5 by llm-d's design, so it never outweighs an
 * affinity scorer of the same weight.
 */
public record LoadAwareScorer(String name, int threshold) implements Scorer {

    public static final String TYPE = "load-aware-scorer";

    public static LoadAwareScorer create(String name, PluginParameters p) {
        return new LoadAwareScorer(name, p.integer("threshold", 128, 1, Integer.MAX_VALUE));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String describeParameters() {
        return "threshold=" + threshold;
    }

    @Override
    public ScorerCategory category() {
        return ScorerCategory.DISTRIBUTION;
    }

    @Override
    public void score(SchedulingContext context, Candidates candidates, double[] scores) {
        for (int i = 0; i < candidates.size(); i++) {
            int q = candidates.get(i).metrics().waitingRequests();
            scores[i] = q == 0 ? 0.5 : q >= threshold ? 0.0 : 0.5 * (1.0 - (double) q / threshold);
        }
    }
}
