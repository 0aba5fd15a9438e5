package dev.jetway.scheduler.spi;

import dev.jetway.kvcache.index.precise.PreciseIndexConfig;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;

/**
 * Hands the {@code precise-prefix-cache-producer} the KV-event index of the pool it schedules for. The index is fed
 * from outside the scheduler (the gateway's ZMQ subscribers, the what-if simulator's engine events), so it must
 * outlive one scheduler instance: a config reload that keeps the index settings keeps the learned cache state.
 */
@FunctionalInterface
public interface PreciseIndexProvider {

    /** The pool's index with these settings; the current one when its settings are equal, else a new one. */
    PrecisePrefixIndex index(PreciseIndexConfig config);

    /** Block size to use when the producer's config sets none (the pool's configured engine block size), or 0. */
    default int defaultBlockSize() {
        return 0;
    }
}
