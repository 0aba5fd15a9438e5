package dev.jetway.scheduler.spi;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.SchedulingResult;

/**
 * Runs after the pick, when the caller commits to sending the request to {@code target} (llm-d's PreRequest):
 * e.g. recording the request's blocks in the approximate prefix index.
 */
public interface PreRequestHook extends Plugin {

    void preRequest(SchedulingContext context, SchedulingResult result, Endpoint target);

    /**
     * A split request's prefill leg is being sent to {@code target} ({@link SchedulingResult#pd()}); the decode leg
     * still gets {@link #preRequest}. Nothing by default.
     */
    default void preRequestPrefill(SchedulingContext context, SchedulingResult result, Endpoint target) {
    }
}
