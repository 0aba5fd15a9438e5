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
 * latency, from the latency model's predictions, scored {@code min(cost) / cost} (the cheapest endpoint scores 1,
 * the others in proportion).
 *
 * <pre>
 * objective: ttft (default)
 *   cost = TTFT + othersWeight × contenders × (prefill − min prefill over the candidates)
 * objective: e2e
 *   cost = TTFT + (n̂ − 1) × TPOT + othersWeight × harm
 * </pre>
 *
 * <ul>
 *   <li>{@code TTFT}, {@code TPOT}: predicted for this request on that endpoint; {@code n̂} its expected output.</li>
 *   <li>{@code prefill}: its own prefill time there; {@code contenders}: requests decoding there now or by the
 *       time it prefills (those queued ahead of it). Each of them is stalled while it prefills.</li>
 *   <li>{@code harm}: everything it adds to the others' latency there: the stall of its prefill and its share of
 *       their decode steps.</li>
 * </ul>
 *
 * <p>With the TTFT objective, the others only pay for what could have been avoided: prefill beyond the cheapest
 * candidate's, i.e. recomputing a prefix another endpoint holds. That is the work that a myopic TTFT minimiser
 * wastes: it spreads a hot prefix over every replica whose queue is momentarily shorter, each copy evicts other
 * prefixes, and later requests miss. When no endpoint holds more of the prompt than another, the cost is the
 * predicted TTFT alone. With the E2E objective the whole harm counts: a long prefill then avoids endpoints full of
 * decoding streams even at some cost to its own first token, trading TTFT for inter-token latency, as P/D
 * disaggregation does. Without predictions (no producer ran) every endpoint scores 1.
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

    /** The cost of the candidate at {@code slot}, seconds; {@code minPrefill} the lowest prefill time of any. */
    public double cost(LatencyPredictions p, int slot, double minPrefill) {
        if (params.objective() == Objective.E2E) {
            return p.e2e(slot) + params.othersWeight() * p.harm(slot);
        }
        return p.ttft(slot) + params.othersWeight() * p.contenders(slot) * Math.max(0, p.prefill(slot) - minPrefill);
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
        double minPrefill = Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            minPrefill = Math.min(minPrefill, p.prefill(candidates.slot(i)));
        }
        double min = Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            double c = cost(p, candidates.slot(i), minPrefill);
            scores[i] = c;
            min = Math.min(min, c);
        }
        for (int i = 0; i < n; i++) {
            scores[i] = scores[i] > 0 ? min / scores[i] : 1;
        }
    }
}
