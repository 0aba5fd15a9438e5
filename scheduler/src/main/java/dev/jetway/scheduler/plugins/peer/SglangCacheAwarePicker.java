package dev.jetway.scheduler.plugins.peer;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.plugins.picker.PickerParams;
import dev.jetway.scheduler.plugins.producer.ApproxPrefixCacheProducer;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.Pick;
import dev.jetway.scheduler.spi.Picker;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.PrefixMatchReader;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.List;
import java.util.Locale;

/**
 * {@code sglang-cache-aware} (Jetway): the SGLang router's {@code cache_aware} policy as a picker, so it can be
 * compared with llm-d's pipelines on the same traffic.
 * <ol>
 *   <li>Imbalance gate: with {@code load} = this gateway's in-flight requests per endpoint (SGLang's router-local
 *       count), the system is imbalanced when {@code max - min > balance_abs_threshold} and
 *       {@code max > balance_rel_threshold * min}, or max KV usage {@code > overload_token_usage_threshold}, or the
 *       KV usage spread {@code > balance_token_usage_threshold}. Imbalanced → the least loaded endpoint.</li>
 *   <li>Balanced: the endpoint with the longest prefix match; if its match rate (matched / request blocks)
 *       {@code > cache_threshold} it wins, otherwise the least loaded endpoint does.</li>
 *   <li>The request is then recorded for the chosen endpoint (the producer's pre-request hook; SGLang inserts into
 *       its tree).</li>
 * </ol>
 * Defaults are SGLang's CLI ones: {@code cache_threshold} 0.3, {@code balance_abs_threshold} 64,
 * {@code balance_rel_threshold} 1.5, both token-usage thresholds 1.0 (off). Differences from SGLang: matching uses
 * the approximate prefix index (blocks of 64 tokens with an LRU per endpoint sized like its KV cache) instead of a
 * character radix tree with periodic size-based eviction; ties go to the lower load, then candidate order.
 */
public record SglangCacheAwarePicker(String name, Params params) implements Picker, PrefixMatchReader {

    public static final String TYPE = "sglang-cache-aware";

    public record Params(double cacheThreshold, int balanceAbsThreshold, double balanceRelThreshold,
                         double balanceTokenUsageThreshold, double overloadTokenUsageThreshold,
                         String prefixMatchInfoProducerName, int maxNumOfEndpoints) {
    }

    public static SglangCacheAwarePicker create(String name, PluginParameters p) {
        return new SglangCacheAwarePicker(name, new Params(
                p.number("cache_threshold", 0.3, 0.0, 1.0),
                p.integer("balance_abs_threshold", 64, 0, Integer.MAX_VALUE),
                p.number("balance_rel_threshold", 1.5, 0.0, Double.MAX_VALUE),
                p.number("balance_token_usage_threshold", 1.0, 0.0, 1.0),
                p.number("overload_token_usage_threshold", 1.0, 0.0, 1.0),
                ApproxPrefixCacheProducer.readFrom(p),
                PickerParams.maxNumOfEndpoints(p)));
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
        return String.format(Locale.ROOT, "cache_threshold=%s, balance_abs_threshold=%d, balance_rel_threshold=%s, "
                        + "balance_token_usage_threshold=%s, overload_token_usage_threshold=%s, maxNumOfEndpoints=%d",
                params.cacheThreshold(), params.balanceAbsThreshold(), params.balanceRelThreshold(),
                params.balanceTokenUsageThreshold(), params.overloadTokenUsageThreshold(), params.maxNumOfEndpoints());
    }

    boolean imbalanced(Candidates c) {
        int minLoad = Integer.MAX_VALUE;
        int maxLoad = 0;
        double minKv = 1.0;
        double maxKv = 0.0;
        for (int i = 0; i < c.size(); i++) {
            Endpoint e = c.get(i);
            minLoad = Math.min(minLoad, e.inFlightRequests());
            maxLoad = Math.max(maxLoad, e.inFlightRequests());
            minKv = Math.min(minKv, e.metrics().kvCacheUsage());
            maxKv = Math.max(maxKv, e.metrics().kvCacheUsage());
        }
        boolean countSpread = maxLoad - minLoad > params.balanceAbsThreshold()
                && maxLoad > params.balanceRelThreshold() * minLoad;
        boolean kvOverload = params.overloadTokenUsageThreshold() < 1.0 && maxKv > params.overloadTokenUsageThreshold();
        boolean kvSpread = params.balanceTokenUsageThreshold() < 1.0
                && maxKv - minKv > params.balanceTokenUsageThreshold();
        return countSpread || kvOverload || kvSpread;
    }

    @Override
    public Pick pick(SchedulingContext context, Candidates candidates, double[] totals) {
        int n = candidates.size();
        int leastLoaded = 0;
        for (int i = 1; i < n; i++) {
            if (candidates.get(i).inFlightRequests() < candidates.get(leastLoaded).inFlightRequests()) {
                leastLoaded = i;
            }
        }
        if (imbalanced(candidates)) {
            return new Pick(ordered(candidates, leastLoaded, params.maxNumOfEndpoints()), "imbalanced: least loaded");
        }
        PrefixMatchInfo match = prefixMatch(context);
        int best = -1;
        if (match != null && match.totalBlocks() > 0) {
            for (int i = 0; i < n; i++) {
                int m = match.matched(candidates.slot(i));
                if (m > 0 && (best < 0 || m > match.matched(candidates.slot(best))
                        || m == match.matched(candidates.slot(best))
                        && candidates.get(i).inFlightRequests() < candidates.get(best).inFlightRequests())) {
                    best = i;
                }
            }
        }
        if (best >= 0 && match.ratio(candidates.slot(best)) > params.cacheThreshold()) {
            return new Pick(ordered(candidates, best, params.maxNumOfEndpoints()), "match rate above cache_threshold");
        }
        return new Pick(ordered(candidates, leastLoaded, params.maxNumOfEndpoints()), "match rate at or below cache_threshold: least loaded");
    }

    /** The choice first, then the rest by load (fallbacks for retries), {@code k} in all. */
    private static List<Endpoint> ordered(Candidates c, int first, int k) {
        if (k == 1) {
            return List.of(c.get(first));
        }
        double[] loads = new double[c.size()];
        for (int i = 0; i < loads.length; i++) {
            loads[i] = c.get(i).inFlightRequests();
        }
        return Fallbacks.choiceThenLowest(c, first, loads, k);
    }
}
