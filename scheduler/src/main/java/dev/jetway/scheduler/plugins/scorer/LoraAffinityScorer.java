package dev.jetway.scheduler.plugins.scorer;

import dev.jetway.scheduler.LoraInfo;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.SchedulingContext;
import dev.jetway.scheduler.spi.Scorer;
import dev.jetway.scheduler.spi.ScorerCategory;

/**
 * {@code lora-affinity-scorer}, for requests naming a LoRA adapter: 1.0 where the adapter is running, 0.8 where it
 * is not loaded but the engine has room for another adapter ({@code max_lora}), 0.6 where it is waiting to load,
 * 0.0 where the engine is full of other adapters. Base-model requests score 1.0 everywhere (no preference).
 */
public record LoraAffinityScorer(String name) implements Scorer {

    public static final String TYPE = "lora-affinity-scorer";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ScorerCategory category() {
        return ScorerCategory.AFFINITY;
    }

    @Override
    public void score(SchedulingContext context, Candidates candidates, double[] scores) {
        String adapter = context.request().loraAdapter();
        for (int i = 0; i < candidates.size(); i++) {
            scores[i] = adapter == null || adapter.isEmpty() ? 1.0 : score(candidates.get(i).metrics().lora(), adapter);
        }
    }

    static double score(LoraInfo lora, String adapter) {
        if (lora.runningAdapters().contains(adapter)) {
            return 1.0;
        }
        if (lora.maxLoras() > 0 && lora.activeCount() < lora.maxLoras()) {
            return 0.8;
        }
        if (lora.waitingAdapters().contains(adapter)) {
            return 0.6;
        }
        return 0.0;
    }
}
