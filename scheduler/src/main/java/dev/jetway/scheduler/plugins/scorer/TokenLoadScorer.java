package dev.jetway.scheduler.plugins.scorer;

import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.SchedulingContext;
import dev.jetway.scheduler.spi.Scorer;
import dev.jetway.scheduler.spi.ScorerCategory;

/**
 * {@code token-load-scorer}: {@code 1 - min(1, inFlightTokens / queueThresholdTokens)}, where in-flight tokens are
 * the uncached prompt tokens this gateway sent and that have not produced a first token yet.
 */
public record TokenLoadScorer(String name, long queueThresholdTokens) implements Scorer {

    public static final String TYPE = "token-load-scorer";

    public static TokenLoadScorer create(String name, PluginParameters p) {
        p.accept("inFlightLoadProducerName");
        return new TokenLoadScorer(name, p.integer("queueThresholdTokens", 4_194_304L, 1, Long.MAX_VALUE));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String describeParameters() {
        return "queueThresholdTokens=" + queueThresholdTokens;
    }

    @Override
    public ScorerCategory category() {
        return ScorerCategory.BALANCE;
    }

    @Override
    public void score(SchedulingContext context, Candidates candidates, double[] scores) {
        for (int i = 0; i < candidates.size(); i++) {
            scores[i] = 1.0 - Math.min(1.0, (double) candidates.get(i).inFlightTokens() / queueThresholdTokens);
        }
    }
}
