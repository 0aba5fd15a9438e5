package dev.jetway.scheduler.spi;

/**
 * Decides, after the data producers ran and before any profile, whether the request is served at all (llm-d's
 * {@code Admitter}, e.g. {@code latency-slo-admitter}). A rejection ends the cycle: the caller answers with its
 * status and dropped reason instead of routing.
 */
public interface Admitter extends Plugin {

    /** Null to admit the request, or why not. */
    Rejection admit(SchedulingContext context);
}
