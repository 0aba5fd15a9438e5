package dev.jetway.scheduler.plugins.scorer;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.plugins.producer.PrecisePrefixCacheProducer;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.DataProducer;
import dev.jetway.scheduler.spi.PreRequestHook;
import dev.jetway.scheduler.spi.PromptTokensReader;
import dev.jetway.scheduler.spi.SchedulingContext;
import dev.jetway.scheduler.spi.Scorer;
import dev.jetway.scheduler.spi.ScorerCategory;

/**
 * {@code precise-prefix-cache-scorer} (deprecated in llm-d): the precise producer and its scoring in one plugin,
 * taking the producer's parameters. An endpoint scores the tier-weighted length of its longest run of the request's
 * blocks from block 0, divided by the request's blocks (llm-d's LongestPrefixScorer, normalised to 0..1). New
 * configs should use {@code precise-prefix-cache-producer} + {@code prefix-cache-scorer}.
 */
public final class PrecisePrefixCacheScorer implements Scorer, DataProducer, PreRequestHook, PromptTokensReader {

    public static final String TYPE = "precise-prefix-cache-scorer";

    private final String name;
    private final PrecisePrefixCacheProducer producer;

    public PrecisePrefixCacheScorer(String name, PrecisePrefixCacheProducer producer) {
        this.name = name;
        this.producer = producer;
    }

    public static PrecisePrefixCacheScorer create(String name, PluginParameters p, SchedulerEnvironment env) {
        return new PrecisePrefixCacheScorer(name, PrecisePrefixCacheProducer.create(name, p, env));
    }

    public PrecisePrefixCacheProducer producer() {
        return producer;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describeParameters() {
        return producer.describeParameters() + " (deprecated: use precise-prefix-cache-producer + prefix-cache-scorer)";
    }

    @Override
    public int stage() {
        return STAGE_PREFIX;
    }

    @Override
    public void produce(SchedulingContext context) {
        producer.produce(context);
    }

    @Override
    public void preRequest(SchedulingContext context, SchedulingResult result, Endpoint target) {
        producer.preRequest(context, result, target);
    }

    @Override
    public ScorerCategory category() {
        return ScorerCategory.AFFINITY;
    }

    @Override
    public void score(SchedulingContext context, Candidates candidates, double[] scores) {
        var weighted = context.get(PrecisePrefixCacheProducer.WeightedMatches.keyFor(name));
        for (int i = 0; i < candidates.size(); i++) {
            scores[i] = weighted == null || weighted.totalBlocks() == 0 ? 0.0
                    : Math.min(1.0, weighted.scores()[candidates.slot(i)] / weighted.totalBlocks());
        }
    }
}
