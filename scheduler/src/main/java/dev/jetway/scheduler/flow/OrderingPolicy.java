package dev.jetway.scheduler.flow;

import dev.jetway.scheduler.spi.Plugin;

/**
 * Orders the requests within one flow (llm-d's ordering policy). Every built-in order reduces to a key computed once
 * when the request is queued, so a flow's queue is a heap of (key, arrival) pairs: O(log n) per operation, no policy
 * call while dispatching.
 */
public interface OrderingPolicy extends Plugin {

    /** The key of a request with no deadline: after every request that has one. */
    long NO_DEADLINE = Long.MAX_VALUE;

    /**
     * The request's sort key: smaller goes first; equal keys go in arrival order.
     *
     * @param ttlNanos the band's queue TTL (0 = none)
     */
    long sortKey(FlowRequest request, long enqueueNanos, long ttlNanos);

    /** {@code start + span}, or {@link #NO_DEADLINE} when there is no span or it would overflow. */
    static long deadline(long start, long span) {
        if (span <= 0) {
            return NO_DEADLINE;
        }
        long d = start + span;
        return d < start ? NO_DEADLINE : d;
    }
}
