package dev.jetway.scheduler.plugins.scorer;

import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.SchedulingContext;
import dev.jetway.scheduler.spi.Scorer;
import dev.jetway.scheduler.spi.ScorerCategory;

/** {@code kv-cache-utilization-scorer} (GIE-era {@code kv-cache-scorer}): {@code 1 - kvCacheUsage}. */
public record KvCacheUtilizationScorer(String name) implements Scorer {

    public static final String TYPE = "kv-cache-utilization-scorer";

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
        for (int i = 0; i < candidates.size(); i++) {
            scores[i] = 1.0 - candidates.get(i).metrics().kvCacheUsage();
        }
    }
}
