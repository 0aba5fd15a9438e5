package dev.jetway.bench.metrics;

import java.util.Map;
import java.util.TreeMap;

/** Accumulators of one traffic class over one stage: what its requests got. */
final class ClassTally {

    /** The {@code failed_by_status} key of a failure without an HTTP error status (timeout, connection, broken stream). */
    static final String NO_STATUS = "none";

    final LatencyHistogram ttft = new LatencyHistogram();
    final LatencyHistogram e2e = new LatencyHistogram();
    final Map<String, Long> failedByStatus = new TreeMap<>();
    final Map<String, Long> droppedReasons = new TreeMap<>();
    long requests;
    long completed;
    long failed;
    /** Output tokens of the completed requests. */
    long outputTokens;
    /** Longest time from a failed request's planned send to its failure; -1 when none failed. */
    long failureNanosMax = -1;

    void completed(long ttftNanos, long e2eNanos, long tokens) {
        completed++;
        ttft.recordNanos(ttftNanos, 1);
        e2e.recordNanos(e2eNanos, 1);
        outputTokens += tokens;
    }

    /** @param httpStatus the error status answered, or 0 when there was none */
    void failed(int httpStatus, String droppedReason, long afterNanos) {
        failed++;
        failedByStatus.merge(httpStatus > 0 ? Integer.toString(httpStatus) : NO_STATUS, 1L, Long::sum);
        if (droppedReason != null && !droppedReason.isBlank()) {
            droppedReasons.merge(droppedReason, 1L, Long::sum);
        }
        failureNanosMax = Math.max(failureNanosMax, afterNanos);
    }

    void add(ClassTally o) {
        ttft.add(o.ttft);
        e2e.add(o.e2e);
        o.failedByStatus.forEach((k, v) -> failedByStatus.merge(k, v, Long::sum));
        o.droppedReasons.forEach((k, v) -> droppedReasons.merge(k, v, Long::sum));
        requests += o.requests;
        completed += o.completed;
        failed += o.failed;
        outputTokens += o.outputTokens;
        failureNanosMax = Math.max(failureNanosMax, o.failureNanosMax);
    }
}
