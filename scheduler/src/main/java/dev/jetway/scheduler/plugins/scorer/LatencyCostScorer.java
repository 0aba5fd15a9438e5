package dev.jetway.scheduler.plugins.scorer;

import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.latency.LatencyPredictions;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.LatencyPredictionReader;
import dev.jetway.scheduler.spi.SchedulingContext;
import dev.jetway.scheduler.spi.Scorer;
import dev.jetway.scheduler.spi.ScorerCategory;
import java.util.List;
import java.util.Locale;

/**
 * {@code latency-cost-scorer} (Jetway): the expected cost of sending the request to each endpoint, in seconds of
 * latency, from the latency model's predictions:
 *
 * <pre>
 * cost = own + othersWeight × harm
 * own  = predicted TTFT                          (objective: ttft)
 *      = predicted TTFT + (n̂ − 1) × predicted TPOT (objective: e2e, n̂ the expected output tokens)
 * harm = latency the request adds to the requests already decoding there, summed over them
 * </pre>
 *
 * scored {@code min(cost) / cost}, so the cheapest endpoint scores 1 and the others in proportion. With
 * {@code othersWeight} 1 the request goes where it adds least to everyone's total latency: a long prefill avoids an
 * endpoint full of decoding streams unless its cache saves most of the work, and a prefix hit wins as long as the
 * queue it joins is not worth more than the recompute it saves. Without predictions (no producer ran) every endpoint
 * scores 1 and the other scorers and the picker decide.
 */
public final class LatencyCostScorer implements Scorer, LatencyPredictionReader {

    public static final String TYPE = "latency-cost-scorer";

    /** What the request's own latency counts. */
    public enum Objective { TTFT, E2E }

    public record Params(Objective objective, double othersWeight, String latencyPredictionInfoProducerName) {
    }

    private final String name;
    private final Params params;

    public LatencyCostScorer(String name, Params params) {
        this.name = name;
        this.params = params;
    }

    public static LatencyCostScorer create(String name, PluginParameters p) {
        Objective objective = Objective.valueOf(p.oneOf("objective", "ttft", List.of("ttft", "e2e"))
                .toUpperCase(Locale.ROOT));
        double others = p.number("othersWeight", 1.0, 0, 1e6);
        String producer = p.string("latencyPredictionInfoProducerName", DEFAULT_PRODUCER);
        return new LatencyCostScorer(name, new Params(objective, others, producer));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String name() {
        return name;
    }

    public Params params() {
        return params;
    }

    @Override
    public String latencyPredictionProducerName() {
        return params.latencyPredictionInfoProducerName();
    }

    @Override
    public String describeParameters() {
        return "objective=" + params.objective().name().toLowerCase(Locale.ROOT) + ", othersWeight="
                + params.othersWeight() + ", latencyPredictionInfoProducerName="
                + params.latencyPredictionInfoProducerName();
    }

    @Override
    public ScorerCategory category() {
        return ScorerCategory.BALANCE;
    }

    /** The cost of the candidate at {@code slot}, seconds. */
    public double cost(LatencyPredictions p, int slot) {
        double own = params.objective() == Objective.E2E ? p.e2e(slot) : p.ttft(slot);
        return own + params.othersWeight() * p.harm(slot);
    }

    @Override
    public void score(SchedulingContext context, Candidates candidates, double[] scores) {
        LatencyPredictions p = latencyPredictions(context);
        int n = candidates.size();
        if (p == null) {
            for (int i = 0; i < n; i++) {
                scores[i] = 1;
            }
            return;
        }
        double min = Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            double c = cost(p, candidates.slot(i));
            scores[i] = c;
            min = Math.min(min, c);
        }
        for (int i = 0; i < n; i++) {
            scores[i] = scores[i] > 0 ? min / scores[i] : 1;
        }
    }
}
