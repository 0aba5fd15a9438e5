package dev.jetway.scheduler.flow;

import dev.jetway.scheduler.spi.Plugin;

/** How saturated the pool may be for a band to still dispatch (llm-d's usage-limit policy). */
public interface UsageLimitPolicy extends Plugin {

    /**
     * The band dispatches while the pool's saturation is below this.
     *
     * @param priority  the band's priority
     * @param rank      0 for the highest-priority band that exists, 1 for the next, ...
     * @param bandCount how many bands exist
     */
    double ceiling(int priority, int rank, int bandCount);
}
