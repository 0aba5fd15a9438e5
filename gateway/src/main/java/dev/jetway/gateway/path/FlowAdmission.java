package dev.jetway.gateway.path;

import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.scheduler.flow.FlowController;
import dev.jetway.scheduler.flow.FlowListener;
import dev.jetway.scheduler.flow.FlowOutcome;
import dev.jetway.scheduler.flow.FlowRequest;
import dev.jetway.scheduler.flow.FlowTicket;

/**
 * One request's passage through its pool's {@link FlowController}: submitted by the admit stage, and told by the
 * controller, possibly on another thread, that it may go (the path resumes on the request's event loop), that it is
 * refused (the one local reply, with the outcome's status and dropped reason), or that, running and sheddable, it
 * must stop for a more important request.
 *
 * <p>The controller decides the common case, a pool with room and nothing waiting ahead, before {@code submit}
 * returns, on the calling thread: that answer is taken inline, so the request goes on without a trip through the
 * event loop's task queue.
 */
final class FlowAdmission implements FlowListener {

    private final GatewayRequest request;
    private final FlowController controller;
    private final GatewayMetrics metrics;
    /** True while this request's own submit runs on its event loop: an answer then is taken inline. */
    private boolean submitting;
    private boolean dispatchedInline;
    private FlowOutcome rejectedInline;

    private FlowAdmission(GatewayRequest request, FlowController controller, GatewayMetrics metrics) {
        this.request = request;
        this.controller = controller;
        this.metrics = metrics;
    }

    /** Submits the request; the stage's result (go on, answer, or wait for the controller). */
    static StageResult submit(GatewayRequest request, FlowController controller, GatewayMetrics metrics) {
        FlowAdmission admission = new FlowAdmission(request, controller, metrics);
        RequestIdentity id = request.identity();
        String requestId = request.header("x-request-id");
        FlowRequest flow = new FlowRequest(requestId != null ? requestId : request.modelLabel(), id.priority(), id.fairnessId(), request.bodyBytes(),
                request.promptTokenEstimate(), Math.round(id.slo().ttftSeconds() * 1e9), admission);
        admission.submitting = true;
        FlowTicket ticket;
        try {
            ticket = controller.submit(flow, request.pool().readyCandidates(), System.nanoTime());
        } finally {
            admission.submitting = false;
        }
        if (admission.dispatchedInline) {
            return StageResult.NEXT;
        }
        if (admission.rejectedInline != null) {
            return StageResult.reply(OpenAiError.flowControl(admission.rejectedInline));
        }
        request.onClientGone(() -> {
            // removed from the queue at once; its rejection (context cancelled) ends the request. If it was let
            // through meanwhile, the path's resume sees the client gone and ends it.
            controller.cancel(ticket, System.nanoTime());
        });
        return StageResult.SUSPENDED;
    }

    @Override
    public void dispatched(FlowTicket ticket) {
        record(ticket, FlowOutcome.DISPATCHED_LABEL);
        if (submitting && request.executor().inEventLoop()) {
            request.flowDispatched(controller, ticket);
            dispatchedInline = true;
            return;
        }
        request.executor().execute(() -> {
            request.flowDispatched(controller, ticket);
            request.resume();
        });
    }

    @Override
    public void rejected(FlowTicket ticket, FlowOutcome outcome) {
        record(ticket, outcome.queueOutcome());
        if (submitting && request.executor().inEventLoop()) {
            rejectedInline = outcome;
            return;
        }
        request.replyLocally(OpenAiError.flowControl(outcome));
    }

    @Override
    public void evict(FlowTicket ticket, FlowOutcome outcome) {
        request.executor().execute(() -> request.evict(OpenAiError.flowControl(outcome)));
    }

    private void record(FlowTicket ticket, String outcome) {
        RequestIdentity id = request.identity();
        metrics.flowQueueDuration(request.pool().name(), request.modelLabel(), id.fairnessId(), id.priority(),
                outcome, ticket.queueNanos());
    }
}
