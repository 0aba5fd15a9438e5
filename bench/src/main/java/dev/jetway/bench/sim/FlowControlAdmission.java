package dev.jetway.bench.sim;

import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.flow.FlowControlConfig;
import dev.jetway.scheduler.flow.FlowController;
import dev.jetway.scheduler.flow.FlowListener;
import dev.jetway.scheduler.flow.FlowOutcome;
import dev.jetway.scheduler.flow.FlowRequest;
import dev.jetway.scheduler.flow.FlowTicket;
import dev.jetway.scheduler.latency.SloTargets;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The gateway's flow control in the simulator: the policy's EndpointPickerConfig decides, as it does for a gateway
 * pool. With {@code featureGates: [flowControl]} each simulated request goes through the same {@link FlowController}
 * the gateway runs, driven the same way: submitted when it reaches the admit stage, acknowledged when scheduled,
 * finished (and a dispatch cycle run) when it ends, cancelled when its client gives up while it waits, and a dispatch
 * tick every {@value #TICK_MILLIS} ms of virtual time while anything waits. Without the gate every request goes
 * straight through, adding no event ({@link Admission#OPEN}).
 */
public final class FlowControlAdmission implements Admission {

    /** The gateway's dispatch tick. */
    static final long TICK_MILLIS = 10;
    private static final long TICK_NANOS = TICK_MILLIS * 1_000_000;
    /** llm-d's estimate of a prompt's bytes per token, for the queue's byte limits (the simulator sends ids). */
    private static final int BYTES_PER_TOKEN = 4;

    /** Flow control when the policy's config turns it on, else everything straight through. */
    public static final Admission.Factory FACTORY = context -> {
        FlowControlConfig config = context.scheduler().flowControl();
        return config.enabled() ? new FlowControlAdmission(context, new FlowController(config)) : Admission.OPEN;
    };

    private final AdmissionContext context;
    private final FlowController controller;
    private final Map<AdmissionTicket, FlowTicket> held = new IdentityHashMap<>();
    private boolean ticking;

    private FlowControlAdmission(AdmissionContext context, FlowController controller) {
        this.context = context;
        this.controller = controller;
    }

    @Override
    public void arrived(AdmissionTicket ticket) {
        InferenceRequest request = ticket.request();
        long tokens = request.tokenIds() == null ? 0 : request.tokenIds().length;
        long bytes = request.bodySizeBytes() > 0 ? request.bodySizeBytes() : tokens * BYTES_PER_TOKEN;
        FlowRequest flow = new FlowRequest(request.requestId(), request.priority(), request.fairnessId(), bytes,
                tokens, Math.round(SloTargets.of(request).ttftSeconds() * 1e9), new Listener(ticket));
        FlowTicket t = controller.submit(flow, context.endpoints(), context.nanos());
        if (t.state() == FlowTicket.State.QUEUED) {
            held.put(ticket, t);
            startTicking();
        }
    }

    @Override
    public void scheduled(AdmissionTicket ticket) {
        FlowTicket t = held.get(ticket);
        if (t != null) {
            controller.acknowledge(t);
        }
    }

    @Override
    public void ended(AdmissionTicket ticket, boolean ok) {
        FlowTicket t = held.remove(ticket);
        if (t != null) {
            controller.finished(t);
            controller.dispatch(context.endpoints(), context.nanos());
        }
    }

    @Override
    public void cancelled(AdmissionTicket ticket) {
        FlowTicket t = held.remove(ticket);
        if (t != null) {
            controller.cancel(t, context.nanos());
        }
    }

    private void startTicking() {
        if (!ticking) {
            ticking = true;
            context.at(context.nanos() + TICK_NANOS, this::tick);
        }
    }

    private void tick() {
        if (controller.hasQueued()) {
            controller.dispatch(context.endpoints(), context.nanos());
        }
        if (controller.hasQueued() && context.workLeft()) {
            context.at(context.nanos() + TICK_NANOS, this::tick);
        } else {
            ticking = false;
        }
    }

    /** What the controller decides for one simulated request. */
    private final class Listener implements FlowListener {
        private final AdmissionTicket ticket;

        Listener(AdmissionTicket ticket) {
            this.ticket = ticket;
        }

        @Override
        public void dispatched(FlowTicket t) {
            // tracked until it ends, so that the controller hears it finish (fast-path tickets included)
            held.put(ticket, t);
            ticket.dispatch();
        }

        @Override
        public void rejected(FlowTicket t, FlowOutcome outcome) {
            held.remove(ticket);
            ticket.reject(outcome.httpStatus(), outcome.droppedReason());
        }

        @Override
        public void evict(FlowTicket t, FlowOutcome outcome) {
            ticket.evict(outcome.httpStatus(), outcome.droppedReason());
        }
    }
}
