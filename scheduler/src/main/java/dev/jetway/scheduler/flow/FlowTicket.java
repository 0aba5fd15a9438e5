package dev.jetway.scheduler.flow;

/**
 * One request's passage through a {@link FlowController}: the handle the host keeps to cancel, acknowledge and
 * finish it, and (inside the controller) the queue node itself, so queuing a request allocates nothing else.
 * Fields other than the state are read and written under the controller's lock.
 */
public final class FlowTicket extends HeapNode {

    /** Where a request is. */
    public enum State {
        /** Waiting in its flow's queue. */
        QUEUED,
        /** Let through, not yet charged to an endpoint: counted in transit until {@code acknowledge}. */
        DISPATCHED,
        /** Charged to an endpoint (acknowledged). */
        RUNNING,
        /** Over ({@code finished}). */
        FINISHED,
        /** Not dispatched: see {@link #outcome()}. */
        REJECTED
    }

    final FlowController owner;
    final FlowRequest request;
    final long submitNanos;
    long enqueueNanos;
    long seq;
    long key;
    private volatile State state = State.QUEUED;
    private volatile FlowOutcome outcome;
    private volatile long decidedNanos = -1;
    boolean evicting;

    // the queue it waits in, and its band's arrival list (expiry order)
    Flow flow;
    FlowTicket arrivalPrev;
    FlowTicket arrivalNext;
    // the running sheddable requests eviction may stop
    FlowTicket evictPrev;
    FlowTicket evictNext;
    boolean evictable;
    // callbacks to run once the lock is released
    FlowTicket notifyNext;
    Notice notice;

    enum Notice { DISPATCHED, REJECTED, EVICT }

    FlowTicket(FlowController owner, FlowRequest request, long submitNanos) {
        this.owner = owner;
        this.request = request;
        this.submitNanos = submitNanos;
        this.enqueueNanos = submitNanos;
    }

    public FlowRequest request() {
        return request;
    }

    public State state() {
        return state;
    }

    /** Why it was not dispatched (or why it was evicted); null otherwise. */
    public FlowOutcome outcome() {
        return outcome;
    }

    /** When it was submitted (the host's clock). */
    public long submitNanos() {
        return submitNanos;
    }

    /**
     * How long it waited in flow control, from submission to dispatch or rejection (llm-d's
     * {@code flow_control_request_queue_duration_seconds}); -1 while it is still queued.
     */
    public long queueNanos() {
        long d = decidedNanos;
        return d < 0 ? -1 : d - submitNanos;
    }

    /** True when it was let through without waiting in a queue (nothing was ahead of it and the pool had room). */
    public boolean fastPath() {
        return decidedNanos >= 0 && seq == 0 && state != State.REJECTED;
    }

    void state(State next) {
        state = next;
    }

    void decide(State next, FlowOutcome why, long nowNanos) {
        outcome = why;
        decidedNanos = nowNanos;
        state = next;
    }

    void evicted(FlowOutcome why) {
        outcome = why;
    }

    @Override
    public String toString() {
        return "FlowTicket[" + request.id() + " priority=" + request.priority() + " flow=" + request.fairnessId()
                + " " + state + (outcome == null ? "" : " " + outcome.droppedReason()) + "]";
    }
}
