package dev.jetway.scheduler.flow;

import java.time.Duration;
import java.util.Objects;

/**
 * One priority band's settings (llm-d's {@code PriorityBandConfig}), resolved: every default filled in and every
 * policy reference turned into its instance.
 *
 * @param priority    the band's priority (for a template, the priority it was resolved for)
 * @param maxBytes    bytes queued in the band at most (llm-d: 1G when omitted or 0; bands are always bounded)
 * @param maxRequests requests queued in the band at most (llm-d: 5000 when omitted or 0)
 * @param fairness    which flow goes next
 * @param ordering    which request of a flow goes next
 * @param requestTTL  how long a request may wait while the pool has endpoints; zero = no limit
 */
public record PriorityBand(int priority, long maxBytes, long maxRequests, FairnessPolicy fairness,
                           OrderingPolicy ordering, Duration requestTTL) {

    public static final long DEFAULT_MAX_BYTES = 1_000_000_000L;
    public static final long DEFAULT_MAX_REQUESTS = 5000;

    public PriorityBand {
        Objects.requireNonNull(fairness, "fairness");
        Objects.requireNonNull(ordering, "ordering");
        Objects.requireNonNull(requestTTL, "requestTTL");
        if (maxBytes <= 0 || maxRequests <= 0) {
            throw new IllegalArgumentException("a band's maxBytes and maxRequests must be positive");
        }
        if (requestTTL.isNegative()) {
            throw new IllegalArgumentException("requestTTL must not be negative");
        }
    }

    /** The same settings for another priority (a template applied to a priority nobody listed). */
    public PriorityBand at(int otherPriority) {
        return otherPriority == priority ? this
                : new PriorityBand(otherPriority, maxBytes, maxRequests, fairness, ordering, requestTTL);
    }

    /** One line for {@code jetway config check}. */
    public String describe() {
        return "maxRequests " + maxRequests + ", maxBytes " + maxBytes + ", fairness " + FlowControlConfig.ref(fairness)
                + ", ordering " + FlowControlConfig.ref(ordering) + ", requestTTL "
                + FlowControlConfig.duration(requestTTL);
    }
}
