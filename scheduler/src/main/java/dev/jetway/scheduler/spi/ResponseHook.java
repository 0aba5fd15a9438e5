package dev.jetway.scheduler.spi;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.SchedulingResult;
import java.util.Map;

/** Runs as the response comes back (llm-d's response header/body processors). Every method is optional. */
public interface ResponseHook extends Plugin {

    /** The first token (first streamed chunk, or the whole body when not streaming) arrived from {@code served}. */
    default void onFirstToken(SchedulingContext context, SchedulingResult result, Endpoint served, long nowNanos) {
    }

    /**
     * The request finished on {@code served}, successfully or not, having generated {@code outputTokens} tokens
     * (negative when the caller does not know).
     */
    default void onComplete(SchedulingContext context, SchedulingResult result, Endpoint served, boolean success,
                            int outputTokens, long nowNanos) {
    }

    /** A split request's prefill leg on {@code served} ended, successfully or not. */
    default void onPrefillComplete(SchedulingContext context, SchedulingResult result, Endpoint served,
                                   boolean success, long nowNanos) {
    }

    /** Headers to add to the client response (e.g. a session token); empty by default. */
    default Map<String, String> responseHeaders(SchedulingContext context, Endpoint served) {
        return Map.of();
    }
}
