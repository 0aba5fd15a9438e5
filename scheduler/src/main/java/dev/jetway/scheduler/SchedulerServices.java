package dev.jetway.scheduler;

import dev.jetway.scheduler.spi.EngineTokenizers;
import dev.jetway.scheduler.spi.PreciseIndexProvider;

/**
 * Services the host of the scheduler offers to plugins that need state or I/O living outside the pure scheduler.
 * Either may be null when the host has none (e.g. {@code jetway config check}).
 *
 * @param preciseIndexes   the pool's KV-event prefix index (fed by the host)
 * @param engineTokenizers tokenizers that call the model server
 */
public record SchedulerServices(PreciseIndexProvider preciseIndexes, EngineTokenizers engineTokenizers) {

    public static final SchedulerServices NONE = new SchedulerServices(null, null);
}
