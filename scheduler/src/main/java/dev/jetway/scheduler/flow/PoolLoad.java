package dev.jetway.scheduler.flow;

/**
 * One measurement of a pool by a {@link SaturationDetector}, made once per controller call and then extended by the
 * requests dispatched since but not yet charged to an endpoint ("in transit"): each adds {@code perRequest} (and its
 * tokens {@code perToken} each); the larger of the two increments counts, so a detector that measures requests and
 * tokens (hybrid) does not count a request twice.
 *
 * @param saturation     the pool's saturation without what is in transit; 1.0 is full, above is overload
 * @param perRequest     what one more request in transit adds
 * @param perToken       what one more prompt token in transit adds
 * @param endpoints      endpoints measured
 * @param staleEndpoints endpoints whose metrics were older than the detector's staleness threshold (or missing)
 * @param failedOpen     every endpoint was stale and the detector fell back to the gateway's own counters
 */
public record PoolLoad(double saturation, double perRequest, double perToken, int endpoints, int staleEndpoints,
                       boolean failedOpen) {

    /** A pool without endpoints: full, so requests wait (scale-from-zero waiting room). */
    public static final PoolLoad EMPTY = new PoolLoad(1.0, 0, 0, 0, 0, false);

    /** The saturation once {@code requests} (with {@code tokens} prompt tokens) in transit land. */
    public double with(long requests, long tokens) {
        return saturation + Math.max(requests * perRequest, tokens * perToken);
    }
}
