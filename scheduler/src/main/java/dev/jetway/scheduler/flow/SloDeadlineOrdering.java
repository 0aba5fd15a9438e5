package dev.jetway.scheduler.flow;

/**
 * {@code slo-deadline-ordering-policy}: earliest TTFT deadline first, the deadline being the enqueue time plus the
 * request's {@code x-llm-d-slo-ttft-ms} (or the old {@code x-slo-ttft-ms}); requests without one come after all that
 * have one, first come first served among themselves.
 */
public record SloDeadlineOrdering(String name) implements OrderingPolicy {

    public static final String TYPE = "slo-deadline-ordering-policy";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public long sortKey(FlowRequest request, long enqueueNanos, long ttlNanos) {
        return OrderingPolicy.deadline(enqueueNanos, request.sloTtftNanos());
    }
}
