package dev.jetway.scheduler.flow;

/**
 * {@code edf-ordering-policy}: earliest deadline first, the deadline being the enqueue time plus the queue TTL; a
 * request without a TTL has a far-future deadline; ties in arrival order. Since a band has one TTL, within a flow
 * this is the arrival order unless the TTL is off.
 */
public record EdfOrdering(String name) implements OrderingPolicy {

    public static final String TYPE = "edf-ordering-policy";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public long sortKey(FlowRequest request, long enqueueNanos, long ttlNanos) {
        return OrderingPolicy.deadline(enqueueNanos, ttlNanos);
    }
}
