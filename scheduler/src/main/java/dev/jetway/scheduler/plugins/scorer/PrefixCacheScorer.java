package dev.jetway.scheduler.plugins.scorer;

import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.plugins.producer.ApproxPrefixCacheProducer;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.PrefixMatchReader;
import dev.jetway.scheduler.spi.SchedulingContext;
import dev.jetway.scheduler.spi.Scorer;
import dev.jetway.scheduler.spi.ScorerCategory;

/**
 * {@code prefix-cache-scorer}: how much of the request's prefix an endpoint holds, from the prefix-match producer
 * named by {@code prefixMatchInfoProducerName} (default {@code approx-prefix-cache-producer}).
 * {@code score = w * min(1, matchedTokens / matchLengthScaleTokens)^2 + (1 - w) * matchedBlocks / totalBlocks} with
 * {@code w = matchLengthWeight} (0 = the plain match ratio) and {@code matchLengthScaleTokens} 8192.
 */
public record PrefixCacheScorer(String name, double matchLengthWeight, long matchLengthScaleTokens,
                                String prefixMatchInfoProducerName) implements Scorer, PrefixMatchReader {

    public static final String TYPE = "prefix-cache-scorer";

    public static PrefixCacheScorer create(String name, PluginParameters p) {
        return new PrefixCacheScorer(name,
                p.number("matchLengthWeight", 0.0, 0.0, 1.0),
                p.integer("matchLengthScaleTokens", 8192L, 1, Long.MAX_VALUE),
                ApproxPrefixCacheProducer.readFrom(p));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String prefixMatchProducerName() {
        return prefixMatchInfoProducerName;
    }

    @Override
    public String describeParameters() {
        return "matchLengthWeight=" + matchLengthWeight + ", matchLengthScaleTokens=" + matchLengthScaleTokens
                + ", prefixMatchInfoProducerName=" + prefixMatchInfoProducerName;
    }

    @Override
    public ScorerCategory category() {
        return ScorerCategory.AFFINITY;
    }

    @Override
    public void score(SchedulingContext context, Candidates candidates, double[] scores) {
        PrefixMatchInfo match = prefixMatch(context);
        for (int i = 0; i < candidates.size(); i++) {
            if (match == null) {
                scores[i] = 0.0;
                continue;
            }
            int slot = candidates.slot(i);
            double ratio = match.ratio(slot);
            if (matchLengthWeight == 0.0) {
                scores[i] = ratio;
            } else {
                double length = Math.min(1.0, (double) match.matchedTokens(slot) / matchLengthScaleTokens);
                scores[i] = matchLengthWeight * length * length + (1.0 - matchLengthWeight) * ratio;
            }
        }
    }
}
