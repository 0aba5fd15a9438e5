package dev.jetway.scheduler.flow;

import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.latency.SloTargets;
import java.util.Objects;

/**
 * One request as flow control sees it.
 *
 * @param id           for logs and debugging
 * @param priority     the InferenceObjective priority: its band; negative = sheddable
 * @param fairnessId   the flow within the band ({@value InferenceRequest#DEFAULT_FAIRNESS_ID} when absent)
 * @param byteSize     the request's size in bytes, counted against {@code maxBytes}
 * @param tokens       its prompt tokens as far as known (0 = unknown), counted in transit for token-based detectors
 * @param sloTtftNanos its time-to-first-token objective, for {@code slo-deadline-ordering-policy}; 0 = none
 * @param listener     told what becomes of it
 */
public record FlowRequest(String id, int priority, String fairnessId, long byteSize, long tokens, long sloTtftNanos,
                          FlowListener listener) {

    public FlowRequest {
        Objects.requireNonNull(listener, "listener");
        fairnessId = fairnessId == null || fairnessId.isEmpty() ? InferenceRequest.DEFAULT_FAIRNESS_ID : fairnessId;
        if (byteSize < 0 || tokens < 0 || sloTtftNanos < 0) {
            throw new IllegalArgumentException("byteSize, tokens and sloTtftNanos must not be negative");
        }
    }

    /**
     * The flow-control view of a parsed request: its priority, fairness id, body size and TTFT objective
     * ({@code x-llm-d-slo-ttft-ms}, or the old {@code x-slo-ttft-ms}).
     *
     * @param promptTokens the prompt's token count when known (0 otherwise)
     */
    public static FlowRequest of(InferenceRequest request, long promptTokens, FlowListener listener) {
        SloTargets slo = SloTargets.of(request);
        return new FlowRequest(request.requestId(), request.priority(), request.fairnessId(),
                Math.max(0, request.bodySizeBytes()), Math.max(0, promptTokens),
                Math.round(slo.ttftSeconds() * 1e9), listener);
    }

    /** llm-d's rule: a negative priority may be shed. */
    public boolean sheddable() {
        return priority < 0;
    }
}
