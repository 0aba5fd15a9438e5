package dev.jetway.scheduler.spi;

import dev.jetway.scheduler.Endpoint;

/**
 * Decides whether a request is worth prefilling on a separate prefill endpoint (llm-d's {@code PrefillDecider}):
 * {@code disagg-profile-handler} asks it after the decode profile has picked, knowing what that endpoint caches.
 */
public interface PdDecider extends Plugin {

    /** Split or not, and why in a few words. */
    record Verdict(boolean split, String reason) {
    }

    /**
     * @param context    the cycle (prompt tokens, prefix matches, latency predictions)
     * @param decodePick the endpoint the decode profile chose
     */
    Verdict decide(SchedulingContext context, Endpoint decodePick);
}
