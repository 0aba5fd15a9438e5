package dev.jetway.bench.sim;

/**
 * Where flow control sits in the simulated request path: the gateway's {@code admit} stage, between the request
 * reaching the gateway (after {@link RequestPath#beforeRoutingNanos()}) and its scheduling. Each arriving request is
 * handed to {@link #arrived} as an {@link AdmissionTicket}; the admission lets it through at once or later
 * ({@link AdmissionTicket#dispatch()}), or answers it ({@link AdmissionTicket#reject}), which the report counts as a
 * failed request with that HTTP status and {@code x-llm-d-request-dropped-reason}, exactly as a live benchmark counts
 * the gateway's answer.
 *
 * <p>Callbacks for one ticket, in order: {@link #arrived}; then, if it was dispatched and scheduled,
 * {@link #scheduled}; then {@link #ended} for every dispatched ticket (also when no endpoint could take it, without
 * {@code scheduled}), or {@link #cancelled} when the client gave up while the ticket was held. A rejected ticket
 * gets no further callback. {@code scheduled} and {@code ended} may come from inside {@code dispatch()} (an engine
 * that refuses a request does so at once). Everything runs on the simulation's single thread, in virtual time; an
 * admission that needs a timer (dispatch ticks, TTL expiry) sets one with {@link AdmissionContext#at}.
 *
 * <p>{@link #OPEN}, the default, dispatches every request the moment it arrives, adding no event: the simulation is
 * then exactly what it was before this seam existed.
 */
public interface Admission {

    /** Every request through at once: the gateway without flow control. */
    Admission OPEN = AdmissionTicket::dispatch;

    /** A request reached the admit stage: dispatch it now, hold it and dispatch it later, or reject it. */
    void arrived(AdmissionTicket ticket);

    /** A dispatched ticket was scheduled and charged to an endpoint ({@code Scheduler.preRequest} done). */
    default void scheduled(AdmissionTicket ticket) {
    }

    /** A dispatched ticket ended: completed ({@code ok}), failed, timed out, evicted or unschedulable. */
    default void ended(AdmissionTicket ticket, boolean ok) {
    }

    /** The client gave up (its timeout) while the ticket was held: forget it; it has already failed as a timeout. */
    default void cancelled(AdmissionTicket ticket) {
    }

    /** Builds a fresh admission for each policy's run. */
    @FunctionalInterface
    interface Factory {
        /** {@link Admission#OPEN} for every run. */
        Factory OPEN = context -> Admission.OPEN;

        Admission create(AdmissionContext context);
    }
}
