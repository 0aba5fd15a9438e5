package dev.jetway.scheduler;

import java.util.concurrent.atomic.AtomicReference;

/**
 * What one request added to an endpoint's in-flight counters, so that the release at first token and at completion
 * happens exactly once whatever order (or how often) the caller reports them, and moves with a retry.
 */
final class InFlightCharge {

    private record Charge(Endpoint endpoint, long tokens, long contextTokens, boolean tokensReleased) {
    }

    private final AtomicReference<Charge> current = new AtomicReference<>();

    /** Charges {@code endpoint}; a previous charge (the request was retried elsewhere) is released first. */
    void charge(Endpoint endpoint, long tokens, long contextTokens) {
        Charge next = new Charge(endpoint, tokens, contextTokens, false);
        Charge prev = current.getAndSet(next);
        if (prev != null) {
            release(prev);
        }
        endpoint.addInFlight(1, tokens, contextTokens, 1);
    }

    /** Prefill done: the prompt tokens no longer wait. */
    void releaseTokens() {
        Charge c = current.get();
        while (c != null && !c.tokensReleased()) {
            Charge released = new Charge(c.endpoint(), c.tokens(), c.contextTokens(), true);
            if (current.compareAndSet(c, released)) {
                c.endpoint().addInFlight(0, -c.tokens(), 0, -1);
                return;
            }
            c = current.get();
        }
    }

    /** Request finished: release everything still charged. */
    void releaseAll() {
        Charge c = current.getAndSet(null);
        if (c != null) {
            release(c);
        }
    }

    private static void release(Charge c) {
        c.endpoint().addInFlight(-1, c.tokensReleased() ? 0 : -c.tokens(), -c.contextTokens(),
                c.tokensReleased() ? 0 : -1);
    }

    Endpoint endpoint() {
        Charge c = current.get();
        return c == null ? null : c.endpoint();
    }
}
