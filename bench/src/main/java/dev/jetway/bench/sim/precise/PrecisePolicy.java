package dev.jetway.bench.sim.precise;

import dev.jetway.bench.sim.KvEventListener;
import dev.jetway.bench.sim.SimPolicy;
import dev.jetway.kvcache.event.KvEventBatch;
import dev.jetway.kvcache.index.precise.PreciseIndexConfig;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.SchedulingProfile;
import dev.jetway.scheduler.WeightedScorer;
import dev.jetway.scheduler.plugins.picker.MaxScorePicker;
import dev.jetway.scheduler.plugins.profile.SingleProfileHandler;
import dev.jetway.scheduler.plugins.scorer.KvCacheUtilizationScorer;
import dev.jetway.scheduler.plugins.scorer.QueueScorer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code precise} policy of llm-d's 57x experiment: precise prefix-cache scorer (KV-event driven, block size of
 * the engines) weight 3, KV-cache utilization weight 2, queue weight 2, max-score picker. Each run gets a fresh
 * {@link PrecisePrefixIndex} fed by the simulated engines' KV events (after the simulation's event delay).
 */
public final class PrecisePolicy {

    public static final String NAME = "precise";

    private PrecisePolicy() {
    }

    /** The policy for engines with {@code blockSize}-token blocks serving {@code model}. */
    public static SimPolicy of(int blockSize, String model) {
        return new SimPolicy(NAME, (env, endpoints) -> {
            PrecisePrefixIndex index = new PrecisePrefixIndex(PreciseIndexConfig.defaults(blockSize), env::nanoTime);
            Map<String, Integer> ids = new HashMap<>();
            int[] byReplica = new int[endpoints.size()];
            for (int i = 0; i < endpoints.size(); i++) {
                Endpoint e = endpoints.get(i);
                byReplica[i] = index.addEndpoint(e.id(), model);
                ids.put(e.id(), byReplica[i]);
            }
            PrecisePrefixScorer prefix = new PrecisePrefixScorer(index, ids);
            KvCacheUtilizationScorer kv = new KvCacheUtilizationScorer(KvCacheUtilizationScorer.TYPE);
            QueueScorer queue = new QueueScorer(QueueScorer.TYPE);
            MaxScorePicker picker = new MaxScorePicker(MaxScorePicker.TYPE, 1, env);
            SchedulingProfile profile = new SchedulingProfile("default", List.of(),
                    List.of(new WeightedScorer(prefix, 3), new WeightedScorer(kv, 2), new WeightedScorer(queue, 2)),
                    picker);
            Scheduler scheduler = new Scheduler(new SingleProfileHandler(SingleProfileHandler.TYPE), List.of(profile),
                    List.of(prefix, kv, queue, picker), env,
                    "precise: precise-prefix-cache-scorer(blockSize=" + blockSize + ") w3 + kv-cache-utilization w2"
                            + " + queue w2, max-score-picker");
            KvEventListener events = (replica, event, at) ->
                    index.apply(byReplica[replica], new KvEventBatch(at / 1e9, List.of(event), null));
            return new SimPolicy.Instance(scheduler, events);
        });
    }
}
