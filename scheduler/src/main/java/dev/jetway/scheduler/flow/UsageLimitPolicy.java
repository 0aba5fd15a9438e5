package dev.jetway.scheduler.flow;

import dev.jetway.scheduler.spi.Plugin;

/**
 * How saturated the pool may be for a band to still dispatch (llm-d's usage-limit policy). Ceilings must not rise as
 * priority falls (llm-d's contract): the controller stops at the first band that may not dispatch, so a lower band
 * with a higher ceiling would wait behind it anyway.
 */
public interface UsageLimitPolicy extends Plugin {

    /**
     * The band dispatches while the pool's saturation is below this.
     *
     * @param priority  the band's priority
     * @param rank      0 for the highest-priority band that exists, 1 for the next, ...
     * @param bandCount how many bands exist
     * @param highest   the highest priority of a band that exists
     * @param lowest    the lowest priority of a band that exists
     */
    double ceiling(int priority, int rank, int bandCount, int highest, int lowest);
}
