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
import java.util.random.RandomGenerator;

/**
 * {@code dynamo-kv-cost} (Jetway): NVIDIA Dynamo's KV-router cost model as a picker. Per endpoint, in blocks of the
 * prefix producer's block size:
 * <pre>
 * prefill = max(active_prefill_blocks + request_blocks - overlap_score_credit * overlap_blocks, 0)
 * decode  = active_decode_blocks + request_blocks
 * cost    = prefill_load_scale * prefill + decode
 * </pre>
 * The lowest cost wins (random tie-break); with {@code router_temperature} > 0 the endpoint is sampled with
 * probability ∝ {@code exp(-(cost / max_cost) / temperature)} (Dynamo's softmax over normalised costs).
 *
 * <p>Mapping onto what Jetway observes: {@code overlap_blocks} = the approximate prefix match (Dynamo defaults to
 * KV events; its {@code --no-router-kv-events} mode is this approximation); {@code active_prefill_blocks} = this
 * gateway's in-flight uncached prompt tokens / block size (Dynamo's router-side prefill tracking);
 * {@code active_decode_blocks} = {@link Endpoint#inFlightContextTokens()} / block size: the uncached prompt tokens of
 * the requests in flight there, held until completion, so a shared prefix counts once, like the unique blocks of
 * Dynamo's router-tracked active sequences (output blocks not tracked, as Dynamo without
 * {@code --router-track-output-blocks}). Both are counted by the gateway the instant it routes, as Dynamo's are.
 * Earlier versions read the scraped KV usage, then the whole prompts in flight; both counted a shared prefix once per
 * sequence (or idle cached blocks) and pushed requests away from their cached prefixes (38–48 % prefix hits on the
 * llm-d 57× workload in the what-if simulator). Parameters: {@code overlap_score_weight} (deprecated Dynamo name)
 * and {@code prefill_load_scale} are the same knob (default 1.0; 0 = pure load balancing), {@code
 * overlap_score_credit} (1.0), {@code router_temperature} (0). Host/disk-tier credits and the excess-prefill decay
 * are not modelled.
 */
public record DynamoKvCostPicker(String name, Params params) implements Picker, PrefixMatchReader {

    public static final String TYPE = "dynamo-kv-cost";
    public record Params(double prefillLoadScale, double overlapScoreCredit, double routerTemperature,
                         String prefixMatchInfoProducerName, int maxNumOfEndpoints) {
    }

    public static DynamoKvCostPicker create(String name, PluginParameters p) {
        double scale;
        if (p.has("prefill_load_scale")) {
            scale = p.number("prefill_load_scale", 1.0, 0.0, Double.MAX_VALUE);
            p.number("overlap_score_weight", 1.0, 0.0, Double.MAX_VALUE);
        } else {
            scale = p.number("overlap_score_weight", 1.0, 0.0, Double.MAX_VALUE);
        }
        return new DynamoKvCostPicker(name, new Params(scale,
                p.number("overlap_score_credit", 1.0, 0.0, Double.MAX_VALUE),
                p.number("router_temperature", 0.0, 0.0, Double.MAX_VALUE),
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
        return String.format(Locale.ROOT, "prefill_load_scale=%s, overlap_score_credit=%s, router_temperature=%s, "
                        + "maxNumOfEndpoints=%d", params.prefillLoadScale(), params.overlapScoreCredit(),
                params.routerTemperature(), params.maxNumOfEndpoints());
    }

    /** Dynamo's cost of sending the request to the candidate at position {@code i}. */
    double cost(Candidates c, int i, PrefixMatchInfo match, int blockSize) {
        Endpoint e = c.get(i);
        int requestBlocks = match == null ? 0 : match.totalBlocks();
        int overlap = match == null ? 0 : match.matched(c.slot(i));
        double activePrefill = (double) e.inFlightTokens() / blockSize;
        double activeDecode = (double) e.inFlightContextTokens() / blockSize;
        double prefill = Math.max(activePrefill + requestBlocks - params.overlapScoreCredit() * overlap, 0.0);
        double decode = activeDecode + requestBlocks;
        return params.prefillLoadScale() * prefill + decode;
    }

    @Override
    public Pick pick(SchedulingContext context, Candidates candidates, double[] totals) {
        int n = candidates.size();
        PrefixMatchInfo match = prefixMatch(context);
        int blockSize = match == null ? ApproxPrefixCacheProducer.MIN_BLOCK_SIZE_TOKENS : match.blockSizeTokens();
        double[] costs = new double[n];
        double maxCost = 0;
        for (int i = 0; i < n; i++) {
            costs[i] = cost(candidates, i, match, blockSize);
            maxCost = Math.max(maxCost, costs[i]);
        }
        RandomGenerator random = context.environment().random();
        int chosen;
        String reason;
        if (params.routerTemperature() > 0 && maxCost > 0) {
            double[] weights = new double[n];
            double sum = 0;
            double minNorm = Double.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                minNorm = Math.min(minNorm, costs[i] / maxCost);
            }
            for (int i = 0; i < n; i++) {
                // shifted by the minimum for numerical stability; the distribution is unchanged
                weights[i] = Math.exp(-(costs[i] / maxCost - minNorm) / params.routerTemperature());
                sum += weights[i];
            }
            double u = random.nextDouble() * sum;
            chosen = n - 1;
            for (int i = 0; i < n; i++) {
                u -= weights[i];
                if (u < 0) {
                    chosen = i;
                    break;
                }
            }
            reason = "sampled by softmax of normalised cost";
        } else {
            chosen = 0;
            int ties = 1;
            for (int i = 1; i < n; i++) {
                if (costs[i] < costs[chosen]) {
                    chosen = i;
                    ties = 1;
                } else if (costs[i] == costs[chosen] && random.nextInt(++ties) == 0) {
                    chosen = i;
                }
            }
            reason = "lowest KV cost";
        }
        if (params.maxNumOfEndpoints() == 1) {
            return new Pick(List.of(candidates.get(chosen)), reason);
        }
        return new Pick(Fallbacks.choiceThenLowest(candidates, chosen, costs, params.maxNumOfEndpoints()), reason);
    }
}
