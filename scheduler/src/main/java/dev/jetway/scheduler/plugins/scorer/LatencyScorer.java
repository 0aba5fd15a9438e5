package dev.jetway.scheduler.plugins.scorer;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.latency.LatencyPredictions;
import dev.jetway.scheduler.plugins.producer.ApproxPrefixCacheProducer;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.LatencyPredictionReader;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.PrefixMatchReader;
import dev.jetway.scheduler.spi.SchedulingContext;
import dev.jetway.scheduler.spi.Scorer;
import dev.jetway.scheduler.spi.ScorerCategory;
import java.util.List;
import java.util.Locale;

/**
 * {@code latency-scorer} (llm-d): scores endpoints by predicted latency headroom ({@code objective − predicted};
 * {@code −predicted} without objectives), with llm-d's rules:
 * <ol>
 *   <li>If some endpoints meet every objective (headroom ≥ 0 on both), only they are scored; the others get 0.</li>
 *   <li>Otherwise, if some endpoints have nothing in flight from this gateway, only they are scored.</li>
 *   <li>Otherwise the least severe deficit bucket is scored: only TPOT violated, then only TTFT, then both.</li>
 * </ol>
 * Within the scored set, |TTFT headroom| and |TPOT headroom| are min-max normalised and blended with
 * {@code ttftWeight} (0.8) and {@code tpotWeight} (0.2) (a dimension with no spread gets weight 0), and mapped to
 * {@code (⌊(1 − blend)·100⌋ + 1)/100} for {@code headroomSelectionStrategy: least} (the default: closest to the
 * objective, i.e. bin-packing, or lowest predicted latency without objectives) or {@code (⌊blend·100⌋ + 1)/100} for
 * {@code most}; deficits always use {@code least}. Without predictions: the composite fallback
 * {@code compositeKVWeight·(1 − kv) + compositeQueueWeight·relativeQueue + compositePrefixWeight·prefixRatio}
 * (weights normalised, 1 each).
 */
public final class LatencyScorer implements Scorer, LatencyPredictionReader, PrefixMatchReader {

    public static final String TYPE = "latency-scorer";
    /** GIE v1.x's all-in-one SLO-aware scorer; llm-d split it into the producer, filters and this scorer. */
    public static final String GIE_TYPE = "predicted-latency-scorer";
    private static final int W_MAX = 100;
    private static final double EPS = 1e-9;

    public record Params(double ttftWeight, double tpotWeight, boolean most, double compositeKvWeight,
                         double compositeQueueWeight, double compositePrefixWeight,
                         String latencyPredictionInfoProducerName, String prefixMatchInfoProducerName) {
    }

    private final String name;
    private final String type;
    private final Params params;

    public LatencyScorer(String name, Params params) {
        this(name, TYPE, params);
    }

    private LatencyScorer(String name, String type, Params params) {
        this.name = name;
        this.type = type;
        this.params = params;
    }

    public static LatencyScorer create(String name, PluginParameters p) {
        double ttft = p.number("ttftWeight", 0.8, 0, Double.MAX_VALUE);
        double tpot = p.number("tpotWeight", 0.2, 0, Double.MAX_VALUE);
        boolean most = p.oneOf("headroomSelectionStrategy", "least", List.of("least", "most")).equals("most");
        double kv = p.number("compositeKVWeight", 1, 0, Double.MAX_VALUE);
        double queue = p.number("compositeQueueWeight", 1, 0, Double.MAX_VALUE);
        double prefix = p.number("compositePrefixWeight", 1, 0, Double.MAX_VALUE);
        String producer = p.string("latencyPredictionInfoProducerName", DEFAULT_PRODUCER);
        return new LatencyScorer(name, new Params(ttft, tpot, most, kv, queue, prefix, producer,
                ApproxPrefixCacheProducer.readFrom(p)));
    }

    /**
     * GIE v1.x {@code predicted-latency-scorer}: its headroom weights and strategy map onto this scorer (the
     * producer it needs is added by the loader); its sampling, exploration and affinity-gate settings belong to
     * plugins llm-d split out ({@code predicted-latency-producer}, {@code slo-headroom-tier-filter},
     * {@code prefix-cache-affinity-filter}) and are accepted here without effect.
     */
    public static LatencyScorer createGie(String name, PluginParameters p) {
        double ttft = p.number("headroomTTFTWeight", 0.8, 0, Double.MAX_VALUE);
        double tpot = p.number("headroomTPOTWeight", 0.2, 0, Double.MAX_VALUE);
        boolean most = p.oneOf("headroomSelectionStrategy", "least", List.of("least", "most")).equals("most");
        double kv = p.number("compositeKVWeight", 1, 0, Double.MAX_VALUE);
        double queue = p.number("compositeQueueWeight", 1, 0, Double.MAX_VALUE);
        double prefix = p.number("compositePrefixWeight", 1, 0, Double.MAX_VALUE);
        p.accept("samplingMean", "maxSampledTokens", "sloBufferFactor", "negHeadroomTTFTWeight",
                "negHeadroomTPOTWeight", "epsilonExploreSticky", "epsilonExploreNeg", "affinityGateTau",
                "affinityGateTauGlobal", "selectionMode");
        return new LatencyScorer(name, GIE_TYPE, new Params(ttft, tpot, most, kv, queue, prefix, DEFAULT_PRODUCER,
                ApproxPrefixCacheProducer.TYPE));
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String latencyPredictionProducerName() {
        return params.latencyPredictionInfoProducerName();
    }

    @Override
    public String prefixMatchProducerName() {
        return params.prefixMatchInfoProducerName();
    }

    @Override
    public String describeParameters() {
        return String.format(Locale.ROOT, "ttftWeight=%s, tpotWeight=%s, headroomSelectionStrategy=%s, "
                        + "compositeKVWeight=%s, compositeQueueWeight=%s, compositePrefixWeight=%s, "
                        + "latencyPredictionInfoProducerName=%s, prefixMatchInfoProducerName=%s",
                params.ttftWeight(), params.tpotWeight(), params.most() ? "most" : "least",
                params.compositeKvWeight(), params.compositeQueueWeight(), params.compositePrefixWeight(),
                params.latencyPredictionInfoProducerName(), params.prefixMatchInfoProducerName());
    }

    @Override
    public ScorerCategory category() {
        return ScorerCategory.BALANCE;
    }

    @Override
    public void score(SchedulingContext context, Candidates candidates, double[] scores) {
        int n = candidates.size();
        LatencyPredictions p = latencyPredictions(context);
        if (p == null) {
            composite(context, candidates, scores);
            return;
        }
        // Bucket of each candidate: 0 meets every objective, 1 idle, 2 only TPOT short, 3 only TTFT, 4 both.
        int[] bucket = new int[n];
        boolean[] present = new boolean[5];
        for (int i = 0; i < n; i++) {
            int slot = candidates.slot(i);
            boolean ttftShort = p.missesTtft(slot);
            boolean tpotShort = p.missesTpot(slot);
            int b;
            if (!ttftShort && !tpotShort) {
                b = 0;
            } else if (candidates.get(i).inFlightRequests() == 0) {
                b = 1;
            } else if (!ttftShort) {
                b = 2;
            } else if (!tpotShort) {
                b = 3;
            } else {
                b = 4;
            }
            bucket[i] = b;
            present[b] = true;
        }
        int chosen = 0;
        while (!present[chosen]) {
            chosen++;
        }
        scoreBucket(p, candidates, bucket, chosen, chosen == 0 && params.most(), scores);
    }

    private void scoreBucket(LatencyPredictions p, Candidates candidates, int[] bucket, int chosen, boolean most,
                             double[] scores) {
        int n = candidates.size();
        double minT = Double.MAX_VALUE;
        double maxT = -Double.MAX_VALUE;
        double minP = Double.MAX_VALUE;
        double maxP = -Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            if (bucket[i] == chosen) {
                int slot = candidates.slot(i);
                double t = Math.abs(p.ttftHeadroom(slot));
                double q = Math.abs(p.tpotHeadroom(slot));
                minT = Math.min(minT, t);
                maxT = Math.max(maxT, t);
                minP = Math.min(minP, q);
                maxP = Math.max(maxP, q);
            }
        }
        double sum = params.ttftWeight() + params.tpotWeight();
        double alpha = sum <= 0 ? 1 : params.ttftWeight() / sum;
        double beta = sum <= 0 ? 0 : params.tpotWeight() / sum;
        double rangeT = maxT - minT;
        double rangeP = maxP - minP;
        if (rangeT <= EPS && rangeP > EPS) {
            alpha = 0;
            beta = 1;
        } else if (rangeP <= EPS && rangeT > EPS) {
            alpha = 1;
            beta = 0;
        }
        for (int i = 0; i < n; i++) {
            if (bucket[i] != chosen) {
                scores[i] = 0;
                continue;
            }
            int slot = candidates.slot(i);
            double nT = rangeT > EPS ? (Math.abs(p.ttftHeadroom(slot)) - minT) / rangeT : 0.5;
            double nP = rangeP > EPS ? (Math.abs(p.tpotHeadroom(slot)) - minP) / rangeP : 0.5;
            double blend = alpha * nT + beta * nP;
            int w = most ? (int) (blend * W_MAX) + 1 : (int) ((1.0 - blend) * W_MAX) + 1;
            scores[i] = (double) w / W_MAX;
        }
    }

    private void composite(SchedulingContext context, Candidates candidates, double[] scores) {
        double kv = params.compositeKvWeight();
        double q = params.compositeQueueWeight();
        double pre = params.compositePrefixWeight();
        double sum = kv + q + pre;
        if (sum <= 0) {
            kv = 1;
            q = 0;
            pre = 0;
            sum = 1;
        }
        int maxQueue = 0;
        for (int i = 0; i < candidates.size(); i++) {
            maxQueue = Math.max(maxQueue, candidates.get(i).metrics().waitingRequests());
        }
        PrefixMatchInfo match = prefixMatch(context);
        for (int i = 0; i < candidates.size(); i++) {
            Endpoint e = candidates.get(i);
            double relQueue = maxQueue > 0 ? (double) (maxQueue - e.metrics().waitingRequests()) / maxQueue : 1.0;
            double prefix = match == null ? 0 : match.ratio(candidates.slot(i));
            double value = (kv * (1 - e.metrics().kvCacheUsage()) + q * relQueue + pre * prefix) / sum;
            scores[i] = Math.round(value * W_MAX) / (double) W_MAX;
        }
    }
}
