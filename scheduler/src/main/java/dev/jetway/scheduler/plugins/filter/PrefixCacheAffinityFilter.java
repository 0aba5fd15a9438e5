package dev.jetway.scheduler.plugins.filter;

import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.plugins.producer.ApproxPrefixCacheProducer;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.Filter;
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
 * TTFT estimate ({@code ttftSource: prefillThroughput}): in-flight uncached prompt tokens /
 * {@code peakPrefillThroughput} (15928 tok/s) × 1000 ms. The older {@code maxTokensInFlightPenalty} (tokens) is
 * accepted and converted to milliseconds at that throughput when {@code maxTTFTPenaltyMs} is absent.
 */
public record PrefixCacheAffinityFilter(String name, Params params) implements Filter, PrefixMatchReader {

    public static final String TYPE = "prefix-cache-affinity-filter";

    public record Params(double affinityThreshold, double explorationProbability, double maxTTFTPenaltyMs,
                         double peakPrefillThroughput, String prefixMatchInfoProducerName) {
    }

    public static PrefixCacheAffinityFilter create(String name, PluginParameters p) {
        double threshold = p.number("affinityThreshold", 0.80, 0.0, 1.0);
        double explore = p.number("explorationProbability", 0.0, 0.0, 1.0);
        double peak = p.number("peakPrefillThroughput", 15928, 1e-9, Double.MAX_VALUE);
        String source = p.oneOf("ttftSource", "prefillThroughput", List.of("prefillThroughput", "latencyPredictor"));
        if (source.equals("latencyPredictor")) {
            throw p.error("ttftSource", "'latencyPredictor' needs predicted-latency-producer, which is not built yet "
                    + "in Jetway; use prefillThroughput");
        }
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
        // Accepted for compatibility; Jetway's in-flight load is built in and there is no latency predictor yet.
        p.accept("latencyPredictionInfoProducerName", "inFlightLoadProducerName");
        return new PrefixCacheAffinityFilter(name, new Params(threshold, explore, penaltyMs, peak, producer));
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
    public String describeParameters() {
        return String.format(Locale.ROOT, "affinityThreshold=%s, explorationProbability=%s, maxTTFTPenaltyMs=%s, "
                        + "ttftSource=prefillThroughput, peakPrefillThroughput=%s, prefixMatchInfoProducerName=%s",
                params.affinityThreshold(), params.explorationProbability(), params.maxTTFTPenaltyMs(),
                params.peakPrefillThroughput(), params.prefixMatchInfoProducerName());
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
        int n = candidates.size();
        boolean[] sticky = new boolean[n];
        int stickyCount = 0;
        double bestSticky = Double.MAX_VALUE;
        double bestOther = Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            double ttftMs = candidates.get(i).inFlightTokens() / params.peakPrefillThroughput() * 1000.0;
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
