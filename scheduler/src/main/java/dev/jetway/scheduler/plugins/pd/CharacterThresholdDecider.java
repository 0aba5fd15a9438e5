package dev.jetway.scheduler.plugins.pd;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.spi.PdDecider;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.SchedulingContext;

/**
 * The decision of llm-d v0.2-v0.6's {@code pd-profile-handler {threshold}}: split when the part of the prompt the
 * decode pick does not cache is at least {@code threshold} <em>characters</em>. The old handler counted matched
 * character blocks (minus one for the model name); Jetway has the matched fraction of the prompt's token blocks, and
 * applies it to the prompt's length in characters. {@code threshold: 0} splits everything, as it did.
 */
record CharacterThresholdDecider(String name, long threshold) implements PdDecider {

    @Override
    public String type() {
        return DisaggProfileHandler.LEGACY_TYPE + " threshold";
    }

    @Override
    public Verdict decide(SchedulingContext context, Endpoint decodePick) {
        String prompt = context.request().promptText();
        long chars = prompt == null ? 0 : prompt.length();
        PrefixMatchInfo match = context.get(PrefixMatchInfo.DEFAULT_KEY);
        int slot = context.endpoints().indexOf(decodePick);
        double hit = match == null || slot < 0 ? 0 : match.ratio(slot);
        long uncachedChars = Math.round((1 - hit) * chars);
        return uncachedChars >= threshold
                ? new Verdict(true, uncachedChars + " uncached characters >= threshold " + threshold)
                : new Verdict(false, uncachedChars + " uncached characters < threshold " + threshold);
    }
}
