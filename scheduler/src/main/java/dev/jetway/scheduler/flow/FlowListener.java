package dev.jetway.scheduler.flow;

/**
 * What the host hears about one request from the {@link FlowController}. Every callback runs outside the
 * controller's lock, on the thread of whichever controller call caused it ({@code submit}, {@code dispatch},
 * {@code cancel}, {@code shutdown}), so it must be quick. It may call back into the controller; the callbacks that
 * call causes on this thread then run after the current one returns (never nested).
 *
 * <p>Exactly one of {@link #dispatched} and {@link #rejected} fires per submitted request, exactly once.
 * {@link #evict} may fire later, only for a dispatched sheddable request while eviction is enabled.
 */
public interface FlowListener {

    /**
     * The request may go: schedule it now. Call {@link FlowController#acknowledge} once the scheduler has charged an
     * endpoint with it (after {@code Scheduler.preRequest}) or scheduling failed, and {@link FlowController#finished}
     * when it is over.
     */
    void dispatched(FlowTicket ticket);

    /** The request will not be dispatched: answer {@code outcome.httpStatus()} with the dropped-reason header. */
    void rejected(FlowTicket ticket, FlowOutcome outcome);

    /**
     * Stop this dispatched request (answer or cut it with {@code outcome}) so that a blocked request of higher
     * priority can go; the host still reports {@link FlowController#finished} when it has stopped. Ignoring it is
     * allowed (the request then simply runs on).
     */
    default void evict(FlowTicket ticket, FlowOutcome outcome) {
    }
}
