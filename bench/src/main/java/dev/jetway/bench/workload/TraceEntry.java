package dev.jetway.bench.workload;

/**
 * One line of a Mooncake-format trace.
 *
 * @param timestampMs  arrival time in milliseconds from the trace start
 * @param inputLength  prompt tokens
 * @param outputLength output tokens
 * @param hashIds      prefix block ids: equal ids at equal positions mean the same tokens
 */
public record TraceEntry(long timestampMs, int inputLength, int outputLength, long[] hashIds) {
}
