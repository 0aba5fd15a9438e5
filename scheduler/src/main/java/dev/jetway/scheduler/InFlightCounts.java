package dev.jetway.scheduler;

/**
 * What is in flight on one endpoint, as one gateway counts it (see {@link Endpoint}): requests, uncached prompt
 * tokens waiting for their first token, the KV those requests added, and requests without a first token yet.
 */
public record InFlightCounts(int requests, long tokens, long contextTokens, int prefills) {

    public static final InFlightCounts ZERO = new InFlightCounts(0, 0, 0, 0);

    public InFlightCounts plus(InFlightCounts o) {
        return new InFlightCounts(requests + o.requests, tokens + o.tokens, contextTokens + o.contextTokens,
                prefills + o.prefills);
    }

    public boolean isZero() {
        return requests == 0 && tokens == 0 && contextTokens == 0 && prefills == 0;
    }
}
