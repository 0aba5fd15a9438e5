package dev.jetway.scheduler.plugins.scorer;

import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.SchedulingContext;
import dev.jetway.scheduler.spi.Scorer;
import dev.jetway.scheduler.spi.ScorerCategory;

/**
 * {@code active-request-scorer}: by this gateway's in-flight request count {@code c} (updated the instant a request
 * is routed, unlike scraped queues): {@code c <= idleThreshold} (0) scores 1.0; busier endpoints score
 * {@code maxBusyScore * (maxC - c) / (maxC - idleThreshold)} where {@code maxC} is the busiest candidate, so the
 * busiest scores 0. {@code requestTimeout} is accepted and ignored, as in llm-d.
 */
public record ActiveRequestScorer(String name, int idleThreshold, double maxBusyScore) implements Scorer {

    public static final String TYPE = "active-request-scorer";

    public static ActiveRequestScorer create(String name, PluginParameters p) {
        p.accept("requestTimeout");
        return new ActiveRequestScorer(name, p.integer("idleThreshold", 0, 0, Integer.MAX_VALUE),
                p.number("maxBusyScore", 1.0, 0.0, 1.0));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String describeParameters() {
        return "idleThreshold=" + idleThreshold + ", maxBusyScore=" + maxBusyScore;
    }

    @Override
    public ScorerCategory category() {
        return ScorerCategory.BALANCE;
    }

    @Override
    public void score(SchedulingContext context, Candidates candidates, double[] scores) {
        int n = candidates.size();
        int max = 0;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, candidates.get(i).inFlightRequests());
        }
        for (int i = 0; i < n; i++) {
            int c = candidates.get(i).inFlightRequests();
            scores[i] = c <= idleThreshold ? 1.0
                    : maxBusyScore * (double) (max - c) / Math.max(1, max - idleThreshold);
        }
    }
}
