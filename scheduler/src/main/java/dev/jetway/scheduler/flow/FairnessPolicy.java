package dev.jetway.scheduler.flow;

import dev.jetway.scheduler.spi.Plugin;

/**
 * Chooses which flow of a band dispatches next (llm-d's fairness policy). The set is closed: the controller keeps a
 * per-band structure for each kind (a heap of flows by their head request, or a rotation).
 */
public sealed interface FairnessPolicy extends Plugin permits GlobalStrictFairness, RoundRobinFairness {
}
