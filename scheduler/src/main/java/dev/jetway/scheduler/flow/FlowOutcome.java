package dev.jetway.scheduler.flow;

/**
 * Why flow control did not let a request through, with what to answer: the HTTP status, llm-d's
 * {@code x-llm-d-request-dropped-reason} value, and llm-d's queue-outcome label for
 * {@code flow_control_request_queue_duration_seconds{outcome}}. A dispatched request has no outcome here (its label is
 * {@value #DISPATCHED_LABEL}).
 *
 * <p>"rejected-*" means the request never reached an engine and is cheap to retry; "evicted-*" means GPU work was
 * spent on it. llm-d answers a TTL expiry with endpoints 429 since llm-d-router #2047 (its docs still say 503).
 */
public enum FlowOutcome {

    /** Global or band capacity (requests or bytes) would be exceeded: rejected at once. */
    CAPACITY(429, "rejected-saturated", "RejectedCapacity"),
    /** As {@link #CAPACITY}, but the pool has no endpoints: unavailability, not backpressure. */
    CAPACITY_NO_ENDPOINTS(503, "rejected-no-endpoints", "RejectedNoEndpoints"),
    /**
     * Queued in a full band with round-robin fairness, and pushed out by a request of a flow holding fewer there (each
     * flow keeps an equal share of the band's room); to the client the same as {@link #CAPACITY}.
     */
    DISPLACED(429, "rejected-saturated", "EvictedOther"),
    /** Waited longer than its band's {@code defaultRequestTTL} while the pool had endpoints. */
    TTL_EXPIRED(429, "rejected-ttl-expired", "EvictedTTL"),
    /** Waited longer than {@code noEndpointRequestTTL} while the pool had no endpoints. */
    TTL_EXPIRED_NO_ENDPOINTS(503, "rejected-no-endpoints", "EvictedNoEndpoints"),
    /** The client went away while the request was queued. */
    CONTEXT_CANCELLED(503, "rejected-context-cancelled", "EvictedContextCancelled"),
    /** Queued when the controller shut down. */
    SHUTTING_DOWN(503, "rejected-shutting-down", "EvictedOther"),
    /** Submitted after the controller shut down. */
    SHUT_DOWN(503, "rejected-shutting-down", "RejectedOther"),
    /**
     * A sheddable request already running was stopped so that a blocked request of higher priority can go
     * ({@code enableEviction}); not a queue outcome (the request had been dispatched).
     */
    EVICTED_PRIORITY(429, "evicted-priority", null);

    /** llm-d's queue-outcome label of a dispatched request. */
    public static final String DISPATCHED_LABEL = "Dispatched";

    /** The response header carrying {@link #droppedReason()}. */
    public static final String DROPPED_REASON_HEADER = "x-llm-d-request-dropped-reason";

    private final int httpStatus;
    private final String droppedReason;
    private final String queueOutcome;

    FlowOutcome(int httpStatus, String droppedReason, String queueOutcome) {
        this.httpStatus = httpStatus;
        this.droppedReason = droppedReason;
        this.queueOutcome = queueOutcome;
    }

    /** 429 for backpressure (retry later), 503 for unavailability. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The value of {@value #DROPPED_REASON_HEADER}. */
    public String droppedReason() {
        return droppedReason;
    }

    /** llm-d's queue-outcome metric label; null for an in-flight eviction, which is not a queue outcome. */
    public String queueOutcome() {
        return queueOutcome;
    }

    /** True when the request had reached an engine (GPU work was spent). */
    public boolean evicted() {
        return droppedReason.startsWith("evicted");
    }
}
