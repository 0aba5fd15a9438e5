package dev.jetway.scheduler.flow;

/** {@code fcfs-ordering-policy} (llm-d's default): first come, first served. */
public record FcfsOrdering(String name) implements OrderingPolicy {

    public static final String TYPE = "fcfs-ordering-policy";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public long sortKey(FlowRequest request, long enqueueNanos, long ttlNanos) {
        return 0; // arrival order decides
    }
}
