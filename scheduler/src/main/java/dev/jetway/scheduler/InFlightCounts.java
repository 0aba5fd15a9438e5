package dev.jetway.scheduler;

/**
 * What is in flight on one endpoint, as one gateway counts it (see {@link Endpoint}): requests, uncached prompt
 * tokens waiting for their first token, the KV those requests added, and requests without a first token yet.
 */
public record InFlightCounts(int requests, long tokens, long contextTokens, int prefills) {

    public static final InFlightCounts ZERO = new InFlightCounts(0, 0, 0, 0);

    /**
     * The sum, saturating at half of each type's range: peers' reports summed, however many or however large (a
     * peer's digest is input from the network), never wrap to a negative load, and neither does this gateway's own
     * count added to that sum.
     */
    public InFlightCounts plus(InFlightCounts o) {
        return new InFlightCounts(sum(requests, o.requests), sum(tokens, o.tokens),
                sum(contextTokens, o.contextTokens), sum(prefills, o.prefills));
    }

    private static int sum(int a, int b) {
        return (int) Math.clamp((long) a + b, Integer.MIN_VALUE / 2, Integer.MAX_VALUE / 2);
    }

    private static long sum(long a, long b) {
        long s = a + b;
        if (((a ^ s) & (b ^ s)) < 0) { // overflowed: the true sum lies beyond the range on a's side
            return a < 0 ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
        }
        return Math.clamp(s, Long.MIN_VALUE / 2, Long.MAX_VALUE / 2);
    }

    public boolean isZero() {
        return requests == 0 && tokens == 0 && contextTokens == 0 && prefills == 0;
    }
}
