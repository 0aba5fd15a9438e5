package dev.jetway.scheduler.plugins.filter;

import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.latency.LatencyPredictions;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.Filter;
import dev.jetway.scheduler.spi.LatencyPredictionReader;
import dev.jetway.scheduler.spi.SchedulingContext;

/**
 * {@code slo-headroom-tier-filter} (llm-d): splits the candidates into those predicted to meet every objective of
 * the request (TTFT and TPOT headroom ≥ 0) and the rest, and keeps the first tier, except with probability
 * {@code epsilonExploreNeg} (0.01), when it keeps the second so that overloaded endpoints still get a little traffic
 * and their predictions recover. Keeps everyone when only one tier is present or nothing was predicted. A request
 * without objectives has negative headroom everywhere (llm-d's convention), so it passes untouched.
 */
public record SloHeadroomTierFilter(String name, double epsilonExploreNeg, String latencyPredictionInfoProducerName)
        implements Filter, LatencyPredictionReader {

    public static final String TYPE = "slo-headroom-tier-filter";

    public static SloHeadroomTierFilter create(String name, PluginParameters p) {
        return new SloHeadroomTierFilter(name, p.number("epsilonExploreNeg", 0.01, 0, 1),
                p.string("latencyPredictionInfoProducerName", DEFAULT_PRODUCER));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String latencyPredictionProducerName() {
        return latencyPredictionInfoProducerName;
    }

    @Override
    public String describeParameters() {
        return "epsilonExploreNeg=" + epsilonExploreNeg + ", latencyPredictionInfoProducerName="
                + latencyPredictionInfoProducerName;
    }

    @Override
    public void filter(SchedulingContext context, Candidates candidates) {
        LatencyPredictions p = latencyPredictions(context);
        int n = candidates.size();
        if (p == null || n < 2 || !p.slo().any()) {
            return;
        }
        boolean[] meets = new boolean[n];
        int positive = 0;
        for (int i = 0; i < n; i++) {
            meets[i] = p.meetsSlo(candidates.slot(i));
            if (meets[i]) {
                positive++;
            }
        }
        if (positive == 0 || positive == n) {
            return;
        }
        if (epsilonExploreNeg > 0 && context.environment().random().nextDouble() < epsilonExploreNeg) {
            for (int i = 0; i < n; i++) {
                meets[i] = !meets[i];
            }
        }
        candidates.retainPositions(meets);
    }
}
