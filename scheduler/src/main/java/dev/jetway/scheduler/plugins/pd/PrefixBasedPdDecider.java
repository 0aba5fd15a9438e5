package dev.jetway.scheduler.plugins.pd;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.plugins.producer.ApproxPrefixCacheProducer;
import dev.jetway.scheduler.spi.PdDecider;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.PrefixMatchReader;
import dev.jetway.scheduler.spi.SchedulingContext;

/**
 * {@code prefix-based-pd-decider}, as llm-d: split when the decode pick would still have at least {@code
 * nonCachedTokens} prompt tokens to compute (the prompt minus the blocks it is believed to cache), and the prompt has
 * at least {@code promptTokens} tokens. {@code nonCachedTokens: 0} (llm-d's default) never splits; without prefix
 * matches nothing is split either.
 */
public record PrefixBasedPdDecider(String name, long nonCachedTokens, long promptTokens,
                                   String prefixMatchProducerName) implements PdDecider, PrefixMatchReader {

    public static final String TYPE = "prefix-based-pd-decider";

    public static PrefixBasedPdDecider create(String name, PluginParameters p) {
        return new PrefixBasedPdDecider(name, p.integer("nonCachedTokens", 0L, 0L, Long.MAX_VALUE),
                p.integer("promptTokens", 0L, 0L, Long.MAX_VALUE), ApproxPrefixCacheProducer.readFrom(p));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String describeParameters() {
        return "nonCachedTokens=" + nonCachedTokens + (nonCachedTokens == 0 ? " (never splits)" : "")
                + ", promptTokens=" + promptTokens + ", prefixMatchInfoProducerName=" + prefixMatchProducerName;
    }

    @Override
    public Verdict decide(SchedulingContext context, Endpoint decodePick) {
        if (nonCachedTokens == 0) {
            return new Verdict(false, "nonCachedTokens is 0");
        }
        long input = context.promptTokenCount();
        if (promptTokens > 0 && input < promptTokens) {
            return new Verdict(false, input + " prompt tokens < promptTokens " + promptTokens);
        }
        if (input < nonCachedTokens) {
            return new Verdict(false, input + " prompt tokens < nonCachedTokens " + nonCachedTokens);
        }
        PrefixMatchInfo match = prefixMatch(context);
        int slot = context.endpoints().indexOf(decodePick);
        if (match == null || slot < 0) {
            return new Verdict(false, "no prefix match information");
        }
        long uncached = input - Math.min(input, match.matchedTokens(slot));
        return uncached >= nonCachedTokens
                ? new Verdict(true, uncached + " uncached tokens >= " + nonCachedTokens)
                : new Verdict(false, uncached + " uncached tokens < " + nonCachedTokens);
    }
}
