package dev.jetway.bench.workload;

/**
 * A workload that brings its own send times (a recorded trace, a generated session process) instead of taking them
 * from the load section: the request plan asks it for each request's arrival, and the load's stages do not apply
 * (the whole workload is one stage).
 */
public sealed interface TimedWorkload extends Workload permits TraceWorkload, ConversationWorkload {

    /** Number of requests; indices run from 0 to size - 1, in arrival order. */
    int size();

    /** When request {@code index} is sent, in nanoseconds from the start (non-decreasing in index). */
    long arrivalNanos(int index);
}
