package dev.jetway.bench.sim;

import dev.jetway.scheduler.InferenceRequest;

/** One simulated request at the admit stage, as an {@link Admission} handles it. */
public interface AdmissionTicket {

    /**
     * The request as the gateway identified it: token ids, the traffic class's headers, its {@code priority} and
     * {@code fairnessId}; the one the scheduler is handed. Null once the request has ended (its token ids are let go;
     * the last callback, {@link Admission#ended} or {@link Admission#cancelled}, still sees it).
     */
    InferenceRequest request();

    /** Virtual time at which it reached the admit stage (nanoseconds). */
    long arrivedNanos();

    /** Neither dispatched nor ended: still the admission's to decide. */
    boolean waiting();

    /**
     * Lets the request through: the scheduler picks its endpoint now and it travels on to its engine. Returns true
     * when it was scheduled (the admission has heard {@link Admission#scheduled}); false when it was not waiting, or
     * no endpoint could take it (it has then failed with 503 and the admission has heard {@link Admission#ended}).
     */
    boolean dispatch();

    /**
     * Answers a waiting request without serving it: it fails with {@code httpStatus} (429 for backpressure, 503 for
     * unavailability) and {@code droppedReason}, llm-d's {@code x-llm-d-request-dropped-reason} (e.g.
     * {@code rejected-saturated}, {@code rejected-ttl-expired}). Returns false, doing nothing, when it was not waiting
     * (already dispatched, or its client gave up: the admission has then heard {@link Admission#cancelled}).
     */
    boolean reject(int httpStatus, String droppedReason);

    /**
     * Stops a dispatched request that is still running (llm-d's opt-in eviction of sheddable requests, e.g.
     * {@code evicted-priority}): its engine aborts it and it fails with that status and reason; the admission then
     * hears {@link Admission#ended}. Does nothing once the request has ended.
     */
    void evict(int httpStatus, String droppedReason);
}
