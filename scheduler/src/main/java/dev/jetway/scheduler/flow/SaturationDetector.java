package dev.jetway.scheduler.flow;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.spi.Plugin;
import java.util.List;

/**
 * Says how full a pool is (llm-d's saturation detector). The {@link FlowController} dispatches while the measured
 * saturation plus what it has in transit stays below the band's usage limit. Implementations are stateless and
 * thread-safe; {@link #measure} is O(endpoints) and runs on every controller call.
 */
public interface SaturationDetector extends Plugin {

    /** Measures the pool; an empty pool is {@link PoolLoad#EMPTY}. */
    PoolLoad measure(List<Endpoint> endpoints, long nowNanos);
}
