package dev.jetway.scheduler;

import dev.jetway.scheduler.spi.Scorer;
import java.util.Objects;

/** A scorer as a profile uses it: its weight multiplies the clamped score (llm-d default 1.0). */
public record WeightedScorer(Scorer scorer, double weight) {

    public static final double DEFAULT_WEIGHT = 1.0;

    public WeightedScorer {
        Objects.requireNonNull(scorer, "scorer");
        if (!Double.isFinite(weight) || weight < 0) {
            throw new IllegalArgumentException("weight of " + scorer.name() + " must be a finite number >= 0: "
                    + weight);
        }
    }
}
