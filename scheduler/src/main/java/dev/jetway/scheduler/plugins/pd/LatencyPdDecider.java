package dev.jetway.scheduler.plugins.pd;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.latency.LatencyPredictions;
import dev.jetway.scheduler.plugins.filter.RoleFilter;
import dev.jetway.scheduler.spi.LatencyPredictionReader;
import dev.jetway.scheduler.spi.PdDecider;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.List;
import java.util.Locale;

/**
 * {@code latency-pd-decider} (Jetway's): split a request only when the split is predicted to cost less time than
 * serving it aggregated on the decode pick, counting both this request's end-to-end latency and the latency it adds
 * to the requests it shares an engine with.
 *
 * <p>With the latency model's predictions (the {@code predicted-latency-producer}, injected when missing), the parts
 * of the cost that differ between the two (its own decode on d, and what that decode adds to d's other requests, are
 * the same either way):
 * <ul>
 *   <li>aggregated on decode pick d: {@code ttft(d) + contenders(d) × prefill(d)}: its TTFT there, plus its prefill
 *       lengthening a step of every request decoding on d;</li>
 *   <li>split with prefill on p: {@code ttft(p) + transfer + contenders(p) × prefill(p)}: its TTFT there, the KV
 *       transfer, and its prefill lengthening the steps of the prefills running on p;</li>
 *   <li>{@code transfer} = the prompt tokens d does not cache × {@code kvTransferMillisPer1kTokens}.</li>
 * </ul>
 * The best prefill-capable endpoint other than d stands for the split (the prefill profile picks the actual one).
 * Costs within the model's own recent TTFT error of each other count as equal, and then the request is not split:
 * the second leg has its own costs (a round trip, KV held on two engines) that the model does not see.
 *
 * <p>Without predictions (a producer with {@code predictInProduce: false}): the same comparison in prefill time at
 * {@code peakPrefillThroughput} tokens per second: aggregated = (tokens queued for prefill on d + its uncached
 * tokens) plus its uncached tokens once per request running on d; split = the least (tokens queued on p + uncached on
 * p) among prefill endpoints, plus the transfer.
 */
public record LatencyPdDecider(String name, double transferSecondsPerToken, double peakPrefillThroughput,
                               String latencyPredictionProducerName) implements PdDecider, LatencyPredictionReader {

    public static final String TYPE = "latency-pd-decider";

    /**
     * 1,000 tokens of a Qwen3-32B-class model's KV (64 layers × 8 KV heads × 128 × 2 × 2 bytes = 256 KiB per token)
     * over one 400 Gb/s NIC (UCX measured ~49.5 GB/s on 400G, research peers §1.1): 5.3 ms.
     */
    public static final double DEFAULT_TRANSFER_MS_PER_1K = 5.0;
    /** llm-d's P/D guide's {@code peakPrefillThroughput} for token-load-scorer, a Qwen3-32B-class prefill rate. */
    public static final double DEFAULT_PEAK_PREFILL = 15_928;

    static final double UNKNOWN_ERROR_BAND = 0.25;
    static final double MIN_BAND = 0.05;
    static final double MAX_BAND = 0.5;

    public static LatencyPdDecider create(String name, PluginParameters p) {
        double perK = p.number("kvTransferMillisPer1kTokens", DEFAULT_TRANSFER_MS_PER_1K, 0, 1e6);
        double peak = p.number("peakPrefillThroughput", DEFAULT_PEAK_PREFILL, 1, 1e9);
        String producer = p.string("latencyPredictionInfoProducerName", DEFAULT_PRODUCER);
        return new LatencyPdDecider(name, perK / 1e6, peak, producer);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String describeParameters() {
        return String.format(Locale.ROOT, "kvTransferMillisPer1kTokens=%.3f, peakPrefillThroughput=%.0f, "
                + "latencyPredictionInfoProducerName=%s", transferSecondsPerToken * 1e6, peakPrefillThroughput,
                latencyPredictionProducerName);
    }

    @Override
    public Verdict decide(SchedulingContext context, Endpoint decodePick) {
        List<Endpoint> endpoints = context.endpoints();
        int d = endpoints.indexOf(decodePick);
        if (d < 0) {
            return new Verdict(false, "decode pick is not a candidate");
        }
        long prompt = context.promptTokenCount();
        PrefixMatchInfo match = context.get(PrefixMatchInfo.DEFAULT_KEY);
        long uncachedOnDecode = uncached(prompt, match, d);
        if (uncachedOnDecode == 0) {
            return new Verdict(false, "decode pick caches the whole prompt");
        }
        double transfer = uncachedOnDecode * transferSecondsPerToken;
        LatencyPredictions predictions = latencyPredictions(context);
        return predictions != null
                ? withPredictions(predictions, endpoints, d, transfer)
                : withoutPredictions(endpoints, match, prompt, d, uncachedOnDecode, transfer);
    }

    private Verdict withPredictions(LatencyPredictions pr, List<Endpoint> endpoints, int d, double transfer) {
        // The request's own decode on d, and its share of d's decode steps, are the same either way: compared are
        // the parts that differ, so that the indifference band applies to them and not to a long decode's total.
        double aggregated = pr.ttft(d) + pr.contenders(d) * pr.prefill(d);
        double best = Double.POSITIVE_INFINITY;
        int bestSlot = -1;
        for (int p = 0; p < endpoints.size(); p++) {
            if (p == d || !RoleFilter.canPrefill(endpoints.get(p))) {
                continue;
            }
            double split = pr.ttft(p) + transfer + pr.contenders(p) * pr.prefill(p);
            if (split < best) {
                best = split;
                bestSlot = p;
            }
        }
        if (bestSlot < 0) {
            return new Verdict(false, "no prefill endpoint to compare with");
        }
        double error = pr.ttftError();
        double band = Double.isNaN(error) ? UNKNOWN_ERROR_BAND : Math.clamp(error, MIN_BAND, MAX_BAND);
        String costs = String.format(Locale.ROOT, "split %.3fs via %s vs aggregated %.3fs, band %.0f%%", best,
                endpoints.get(bestSlot).address(), aggregated, band * 100);
        return new Verdict(best < aggregated * (1 - band), costs);
    }

    private Verdict withoutPredictions(List<Endpoint> endpoints, PrefixMatchInfo match, long prompt, int d,
                                       long uncachedOnDecode, double transfer) {
        Endpoint decode = endpoints.get(d);
        int running = Math.max(decode.metrics().runningRequests(), 0);
        double aggregated = (decode.inFlightTokens() + uncachedOnDecode) / peakPrefillThroughput
                + running * (uncachedOnDecode / peakPrefillThroughput);
        double best = Double.POSITIVE_INFINITY;
        for (int p = 0; p < endpoints.size(); p++) {
            Endpoint e = endpoints.get(p);
            if (p == d || !RoleFilter.canPrefill(e)) {
                continue;
            }
            best = Math.min(best, (e.inFlightTokens() + uncached(prompt, match, p)) / peakPrefillThroughput);
        }
        if (best == Double.POSITIVE_INFINITY) {
            return new Verdict(false, "no prefill endpoint to compare with");
        }
        double split = best + transfer;
        return new Verdict(split < aggregated, String.format(Locale.ROOT,
                "estimate without predictions: split %.3fs vs aggregated %.3fs", split, aggregated));
    }

    private static long uncached(long prompt, PrefixMatchInfo match, int slot) {
        return match == null ? prompt : prompt - Math.min(prompt, match.matchedTokens(slot));
    }
}
