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
 * cost = own + queueing + itlCostWeight × running
 * own      = TTFT                    (objective: ttft, the default)
 *          = TTFT + (n̂ − 1) × TPOT   (objective: e2e; n̂ the expected output tokens)
 * queueing = prefill × λ × wait  +  (prefill − min prefill) × (Λ − λ) × mean wait      (queueingCost: true)
 * running  = contenders × (prefill + shared tokens × decode-step cost)
 * </pre>
 *
 * <ul>
 *   <li><b>queueing</b>: the TTFT the request's prefill adds to the requests that come after it. On this endpoint,
 *       every request arriving while its queue drains waits for that prefill: about {@code λ × wait} of them
 *       ({@code λ} the requests per second sent there, {@code wait} the queueing part of the predicted TTFT). The
 *       part of the prefill another candidate would have saved (recomputing a prefix it holds) is capacity the
 *       whole pool loses, felt by the requests reaching the rest of the pool ({@code Λ − λ}) while it is backlogged.
 *       On an idle pool this is about zero and the request simply goes where its TTFT is lowest; on a backlogged
 *       pool it keeps prefixes where they are cached, because there a greedy TTFT minimiser spends capacity on
 *       recompute and collapses (docs/performance.md: mixed traffic at 31 req/s).</li>
 *   <li><b>running</b> (off by default): what the request adds to the requests decoding there: its prefill stalls
 *       each of them, its decode lengthens the steps it shares with them. Weighting it trades the request's own
 *       TTFT for the others' inter-token latency, as P/D disaggregation does; measured in docs/performance.md.</li>
 * </ul>
 *
 * <p>Scores are {@code min(cost) / cost}, except that costs the model cannot tell apart from the cheapest, within its
 * own recent TTFT error ({@code indifference: model}, clamped to 5-50%; or a fixed fraction), all count as cheapest
 * and are ranked among themselves, never below an endpoint outside the band: first those with about the least prefill
 * work (the prompt tokens they would compute, within 5% of the least), then the emptier KV cache. Trusting differences smaller than the model's error
 * would route on noise; where the latency is the same, doing less work keeps capacity for everyone, and the endpoint
 * with room in its cache is the one where this request's prefix evicts nothing another request needs. (Measured: a
 * strict arg-min piled 26 of the 57× workload's 150 prompt groups on one replica and 13 on another, and the overfull
 * one kept evicting them, TTFT p90 0.141 s against 0.116 s with the band; ranking the band by KV alone recomputed
 * prefixes on the saturated published 57× ladder, TTFT p99 47.7 s against 0.82 s with least work first.) Without
 * predictions (no producer ran) every endpoint scores 1.
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
     * @param queueingCost  whether the TTFT the request adds to later requests counts
     * @param itlCostWeight weight of what it adds to the latency of the requests decoding there (0 = ignored)
     * @param indifference  fraction of the cheapest cost within which costs count as equal; NaN: the model's own
     *                      recent TTFT error
     * @param leastWorkFirst within the band, about the least prefill work first ({@code withinBand: least-work}),
     *                      else only the emptier KV cache ({@code emptiest-cache})
     */
    public record Params(Objective objective, boolean queueingCost, double itlCostWeight, double indifference,
                         boolean leastWorkFirst, String latencyPredictionInfoProducerName) {
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
        boolean queueing = p.bool("queueingCost", true);
        double itl = p.number("itlCostWeight", 0.0, 0, 1e6);
        double indifference = Double.NaN;
        var raw = p.raw("indifference");
        if (raw != null && !raw.isNull() && !(raw.isTextual() && raw.asText().equals("model"))) {
            indifference = p.number("indifference", 0, 0, 10);
        }
        boolean leastWork = p.oneOf("withinBand", "least-work", List.of("least-work", "emptiest-cache"))
                .equals("least-work");
        String producer = p.string("latencyPredictionInfoProducerName", DEFAULT_PRODUCER);
        return new LatencyCostScorer(name, new Params(objective, queueing, itl, indifference, leastWork, producer));
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
        return "objective=" + params.objective().name().toLowerCase(Locale.ROOT) + ", queueingCost="
                + params.queueingCost() + ", itlCostWeight=" + params.itlCostWeight() + ", indifference="
                + (Double.isNaN(params.indifference()) ? "model" : params.indifference()) + ", withinBand="
                + (params.leastWorkFirst() ? "least-work" : "emptiest-cache")
                + ", latencyPredictionInfoProducerName=" + params.latencyPredictionInfoProducerName();
    }

    @Override
    public ScorerCategory category() {
        return ScorerCategory.BALANCE;
    }

    /** What the pool looks like to one request: its arrival rate, mean queue wait and cheapest prefill. */
    record Pool(double arrivals, double meanWait, double minPrefill) {

        static Pool of(LatencyPredictions p, Candidates candidates) {
            double arrivals = 0;
            double wait = 0;
            double minPrefill = Double.MAX_VALUE;
            int n = candidates.size();
            for (int i = 0; i < n; i++) {
                int slot = candidates.slot(i);
                arrivals += p.arrivals(slot);
                wait += p.wait(slot);
                minPrefill = Math.min(minPrefill, p.prefill(slot));
            }
            return new Pool(arrivals, n == 0 ? 0 : wait / n, minPrefill);
        }
    }

    /** The cost of the candidate at {@code slot}, seconds. */
    double cost(LatencyPredictions p, int slot, Pool pool) {
        double cost = params.objective() == Objective.E2E ? p.e2e(slot) : p.ttft(slot);
        if (params.queueingCost()) {
            cost += p.backlogHarm(slot) + (p.prefill(slot) - pool.minPrefill())
                    * Math.max(0, pool.arrivals() - p.arrivals(slot)) * pool.meanWait();
        }
        if (params.itlCostWeight() > 0) {
            cost += params.itlCostWeight() * p.harm(slot);
        }
        return cost;
    }

    /**
     * The prefill work of the candidate at {@code slot}: the prompt tokens it would compute there when the producer
     * recorded them, else the predicted prefill time. Counted, not predicted: while the model is far off (a cold
     * start on an engine much slower than the prior) its predicted prefill times all fall inside the indifference
     * band, and the endpoint that holds the prompt must still count as doing less work than one that recomputes it.
     */
    private static double work(LatencyPredictions p, int slot, boolean byTokens) {
        return byTokens ? p.uncachedTokens(slot) : p.prefill(slot);
    }

    /** Keeps the best of the second in-band group strictly below the worst of the first. */
    private static final double NOT_LEAST_WORK = 0.999;

    private static double ratio(double cost, double min) {
        return cost > 0 ? min / cost : 1;
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
        Pool pool = Pool.of(p, candidates);
        double min = Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            double c = cost(p, candidates.slot(i), pool);
            scores[i] = c;
            min = Math.min(min, c);
        }
        double band = band(p);
        double edge = 1 / (1 + band);
        boolean byTokens = true;
        for (int i = 0; i < n; i++) {
            byTokens &= p.uncachedTokens(candidates.slot(i)) >= 0;
        }
        double leastWork = params.leastWorkFirst() ? Double.MAX_VALUE : Double.POSITIVE_INFINITY;
        for (int i = 0; i < n && params.leastWorkFirst(); i++) {
            if (ratio(scores[i], min) >= edge) {
                leastWork = Math.min(leastWork, work(p, candidates.slot(i), byTokens));
            }
        }
        // Within the band: those doing (about) the least prefill work first, then the emptier KV cache, each group
        // in its own half of [edge, 1], so no in-band endpoint falls below one outside the band.
        double half = (1 - edge) / 2;
        for (int i = 0; i < n; i++) {
            double r = ratio(scores[i], min);
            if (r >= edge) {
                double kv = candidates.get(i).metrics().kvCacheUsage();
                // a token count is exact: only the model's predictions need the band's tolerance
                double tolerance = byTokens ? MIN_BAND : band;
                boolean leastWorkGroup = !params.leastWorkFirst()
                        || work(p, candidates.slot(i), byTokens) <= leastWork * (1 + tolerance) + 1e-9;
                r = leastWorkGroup ? 1 - half * kv : edge + half * (1 - kv) * NOT_LEAST_WORK;
            }
            scores[i] = r;
        }
    }
}
