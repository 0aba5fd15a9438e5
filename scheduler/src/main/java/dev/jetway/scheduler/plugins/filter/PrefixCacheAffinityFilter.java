package dev.jetway.scheduler.plugins.filter;

import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.latency.LatencyPredictions;
import dev.jetway.scheduler.plugins.producer.ApproxPrefixCacheProducer;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.Filter;
import dev.jetway.scheduler.spi.LatencyPredictionReader;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.PrefixMatchReader;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.List;
import java.util.Locale;

/**
 * {@code prefix-cache-affinity-filter} ("sticky until saturated"): keep only endpoints whose prefix match ratio is at
 * least {@code affinityThreshold} (0.80), unless
 * <ul>
 *   <li>none reaches it (keep all),</li>
 *   <li>a random draw below {@code explorationProbability} (0) says explore (keep all), or</li>
 *   <li>the best sticky endpoint's estimated TTFT exceeds the best other endpoint's by more than
 *       {@code maxTTFTPenaltyMs} (18000; 0 = always stick): keep all, so a hot prefix spills over.</li>
 * </ul>
 * TTFT estimate ({@code ttftSource: prefillThroughput}, the default): in-flight uncached prompt tokens /
 * {@code peakPrefillThroughput} (15928 tok/s) × 1000 ms; with {@code ttftSource: latencyPredictor}, the TTFT the
 * {@code predicted-latency-producer} ({@code latencyPredictionInfoProducerName}) predicts for this request there. The older {@code maxTokensInFlightPenalty} (tokens) is
 * accepted and converted to milliseconds at that throughput when {@code maxTTFTPenaltyMs} is absent.
 */
public record PrefixCacheAffinityFilter(String name, Params params)
        implements Filter, PrefixMatchReader, LatencyPredictionReader {

    public static final String TYPE = "prefix-cache-affinity-filter";

    /**
     * @param latencyPredictionInfoProducerName the producer whose predicted TTFT is compared
     *                                          ({@code ttftSource: latencyPredictor}), or null to estimate it from
     *                                          in-flight tokens at {@code peakPrefillThroughput}
     */
    public record Params(double affinityThreshold, double explorationProbability, double maxTTFTPenaltyMs,
                         double peakPrefillThroughput, String prefixMatchInfoProducerName,
                         String latencyPredictionInfoProducerName) {
    }

    public static PrefixCacheAffinityFilter create(String name, PluginParameters p) {
        double threshold = p.number("affinityThreshold", 0.80, 0.0, 1.0);
        double explore = p.number("explorationProbability", 0.0, 0.0, 1.0);
        double peak = p.number("peakPrefillThroughput", 15928, 1e-9, Double.MAX_VALUE);
        String source = p.oneOf("ttftSource", "prefillThroughput", List.of("prefillThroughput", "latencyPredictor"));
        String latencyProducer = p.string("latencyPredictionInfoProducerName", DEFAULT_PRODUCER);
        double penaltyMs;
        if (p.has("maxTTFTPenaltyMs")) {
            penaltyMs = p.number("maxTTFTPenaltyMs", 18000, 0, Double.MAX_VALUE);
            p.number("maxTokensInFlightPenalty", 0, 0, Double.MAX_VALUE);
        } else if (p.has("maxTokensInFlightPenalty")) {
            penaltyMs = p.number("maxTokensInFlightPenalty", 0, 0, Double.MAX_VALUE) / peak * 1000.0;
        } else {
            penaltyMs = 18000;
        }
        String producer = ApproxPrefixCacheProducer.readFrom(p);
        // Accepted for compatibility; Jetway's in-flight load is built in.
        p.accept("inFlightLoadProducerName");
        return new PrefixCacheAffinityFilter(name, new Params(threshold, explore, penaltyMs, peak, producer,
                source.equals("latencyPredictor") ? latencyProducer : null));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String prefixMatchProducerName() {
        return params.prefixMatchInfoProducerName();
    }

    @Override
    public String latencyPredictionProducerName() {
        return params.latencyPredictionInfoProducerName();
    }

    @Override
    public String describeParameters() {
        String source = params.latencyPredictionInfoProducerName() == null
                ? "ttftSource=prefillThroughput, peakPrefillThroughput=" + params.peakPrefillThroughput()
                : "ttftSource=latencyPredictor, latencyPredictionInfoProducerName="
                        + params.latencyPredictionInfoProducerName();
        return String.format(Locale.ROOT, "affinityThreshold=%s, explorationProbability=%s, maxTTFTPenaltyMs=%s, "
                        + "%s, prefixMatchInfoProducerName=%s",
                params.affinityThreshold(), params.explorationProbability(), params.maxTTFTPenaltyMs(), source,
                params.prefixMatchInfoProducerName());
    }

    @Override
    public void filter(SchedulingContext context, Candidates candidates) {
        PrefixMatchInfo match = prefixMatch(context);
        if (match == null || candidates.size() < 2) {
            return;
        }
        if (params.explorationProbability() > 0
                && context.environment().random().nextDouble() < params.explorationProbability()) {
            return;
        }
        LatencyPredictions predicted = latencyPredictions(context);
        int n = candidates.size();
        boolean[] sticky = new boolean[n];
        int stickyCount = 0;
        double bestSticky = Double.MAX_VALUE;
        double bestOther = Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            double ttftMs = predicted != null ? predicted.ttft(candidates.slot(i)) * 1000.0
                    : candidates.get(i).inFlightTokens() / params.peakPrefillThroughput() * 1000.0;
            if (match.ratio(candidates.slot(i)) >= params.affinityThreshold() && match.totalBlocks() > 0) {
                sticky[i] = true;
                stickyCount++;
                bestSticky = Math.min(bestSticky, ttftMs);
            } else {
                bestOther = Math.min(bestOther, ttftMs);
            }
        }
        if (stickyCount == 0 || stickyCount == n) {
            return;
        }
        if (params.maxTTFTPenaltyMs() > 0 && bestSticky - bestOther > params.maxTTFTPenaltyMs()) {
            return; // the cached endpoints are saturated: let load scorers spread the prefix
        }
        candidates.retainPositions(sticky);
    }
}
