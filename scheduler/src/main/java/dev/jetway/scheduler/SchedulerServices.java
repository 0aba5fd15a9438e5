package dev.jetway.scheduler;

import dev.jetway.scheduler.latency.LatencyModel;
import dev.jetway.scheduler.spi.EngineTokenizers;
import dev.jetway.scheduler.spi.PreciseIndexProvider;
import java.util.function.Function;

/**
 * Services the host of the scheduler offers to plugins that need state or I/O living outside the pure scheduler.
 * Any may be null when the host has none (e.g. {@code jetway config check}).
 *
 * @param preciseIndexes   the pool's KV-event prefix index (fed by the host)
 * @param engineTokenizers tokenizers that call model servers
 * @param latencyModels    the pool's latency model for given settings, kept by the host so that what it learned
 *                         survives a config reload (the same settings give the same model); null: each
 *                         {@code predicted-latency-producer} owns a fresh one
 */
public record SchedulerServices(PreciseIndexProvider preciseIndexes, EngineTokenizers engineTokenizers,
                                Function<LatencyModel.Settings, LatencyModel> latencyModels) {

    public static final SchedulerServices NONE = new SchedulerServices(null, null, null);

    public SchedulerServices(PreciseIndexProvider preciseIndexes, EngineTokenizers engineTokenizers) {
        this(preciseIndexes, engineTokenizers, null);
    }
}
