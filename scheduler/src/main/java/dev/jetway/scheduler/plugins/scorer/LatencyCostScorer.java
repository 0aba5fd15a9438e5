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
 * {@code latency-cost-scorer} (Jetway): routes to the endpoint where the request is predicted to cost least, in
 * seconds of latency, from the latency model's predictions.
 *
 * <pre>
 * cost = own + othersWeight × harm
 * own  = TTFT                       (objective: ttft, the default)
 *      = TTFT + (n̂ − 1) × TPOT      (objective: e2e; n̂ the expected output tokens)
 * harm = what the request adds to the latency of the requests decoding there now or by the time it prefills:
 *        its prefill stalls each of them, its decode lengthens the steps it shares with them
 * </pre>
 *
 * <p>Scores are {@code min(cost) / cost}, except that costs the model cannot tell apart from the cheapest, within its
 * own recent TTFT error ({@code indifference: model}, clamped to 5-50%; or a fixed fraction), all count as cheapest,
 * ranked among themselves by the emptier KV cache: {@code 1 − (1 − 1/(1 + band)) × kvUsage}, never below an
 * endpoint outside the band. Trusting differences smaller than the model's error would route on noise; and where the
 * latency is the same, the endpoint with room in its cache is the one where this request's prefix evicts nothing
 * another request needs. (Measured: a strict arg-min piled 26 of the 57× workload's 150 prompt groups on one replica
 * and 13 on another, and the overfull one evicted questions for good; TTFT p90 0.141 s against 0.116 s with the band,
 * docs/performance.md.)
 *
 * <p>{@code othersWeight} (0) prices the harm: 1 counts every second of other requests' latency like the request's
 * own. That sends long prefills away from endpoints full of decoding streams, which lowers E2E and inter-token
 * latency but raises TTFT in the tail (measured in docs/performance.md); it is off by default. Without predictions
 * (no producer ran) every endpoint scores 1.
 */
public final class LatencyCostScorer implements Scorer, LatencyPredictionReader {

    public static final String TYPE = "latency-cost-scorer";

    /** What the request's own latency counts. */
    public enum Objective { TTFT, E2E }

    /** Band used before the model has an error to report. */
    static final double UNKNOWN_ERROR_BAND = 0.25;
    static final double MIN_BAND = 0.05;
    static final double MAX_BAND = 0.5;

    /**
     * @param indifference fraction of the cheapest cost within which costs count as equal; NaN: the model's own
     *                     recent TTFT error
     */
    public record Params(Objective objective, double othersWeight, double indifference,
                         String latencyPredictionInfoProducerName) {
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
        double others = p.number("othersWeight", 0.0, 0, 1e6);
        double indifference = Double.NaN;
        var raw = p.raw("indifference");
        if (raw != null && !raw.isNull() && !(raw.isTextual() && raw.asText().equals("model"))) {
            indifference = p.number("indifference", 0, 0, 10);
        }
        String producer = p.string("latencyPredictionInfoProducerName", DEFAULT_PRODUCER);
        return new LatencyCostScorer(name, new Params(objective, others, indifference, producer));
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
                + params.othersWeight() + ", indifference="
                + (Double.isNaN(params.indifference()) ? "model" : params.indifference())
                + ", latencyPredictionInfoProducerName=" + params.latencyPredictionInfoProducerName();
    }

    @Override
    public ScorerCategory category() {
        return ScorerCategory.BALANCE;
    }

    /** The cost of the candidate at {@code slot}, seconds. */
    public double cost(LatencyPredictions p, int slot) {
        double own = params.objective() == Objective.E2E ? p.e2e(slot) : p.ttft(slot);
        return params.othersWeight() == 0 ? own : own + params.othersWeight() * p.harm(slot);
    }

    /** The indifference band for this request: the fixed one, or the model's recent error within its bounds. */
    double band(LatencyPredictions p) {
        if (!Double.isNaN(params.indifference())) {
            return params.indifference();
        }
        double error = p.ttftError();
        return Double.isNaN(error) ? UNKNOWN_ERROR_BAND : Math.clamp(error, MIN_BAND, MAX_BAND);
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
        double edge = 1 / (1 + band(p));
        for (int i = 0; i < n; i++) {
            double ratio = scores[i] > 0 ? min / scores[i] : 1;
            if (ratio >= edge) {
                ratio = 1 - (1 - edge) * candidates.get(i).metrics().kvCacheUsage();
            }
            scores[i] = ratio;
        }
    }
}
