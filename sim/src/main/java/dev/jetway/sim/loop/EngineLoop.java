package dev.jetway.sim.loop;

import dev.jetway.engine.Completion;
import dev.jetway.engine.Engine;
import dev.jetway.engine.EngineRequest;
import dev.jetway.engine.EngineStats;
import dev.jetway.engine.EngineStep;
import dev.jetway.engine.RequestObserver;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Drives one {@link Engine} on wall time from a Netty event loop, the same one that serves the replica's HTTP
 * connections: plan a step, arm a timer for its end, complete it and write what it produced. Other threads hand
 * submissions, aborts and resets over through a queue; the engine itself is only ever touched on the event loop.
 *
 * <p>Why no thread of its own: a dedicated engine thread costs two cross-thread wake-ups per step (the timer wakes
 * the engine thread, which then wakes the event loop to write), and on a busy host each wake-up waits in the run
 * queue. On the event loop a step's end is one timer expiry and its outputs are written by the same thread.
 *
 * <p>Steps follow an ideal timeline: a step starts when the previous one ended, or, after idling, when the first new
 * request arrived, not when the loop happened to get round to it. Timer and scheduling lateness therefore
 * shows up as the simulator's own delay rather than silently stretching the model's times, up to
 * {@link #MAX_CATCH_UP_NANOS}; beyond that the timeline restarts from now (the machine is overloaded).
 */
public final class EngineLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EngineLoop.class);
    static final long MAX_CATCH_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Pause after a failed step, so that a broken engine cannot spin the event loop. */
    private static final long RECOVERY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private sealed interface Command {
    }

    private record Submit(EngineRequest request, RequestObserver observer, long arrivalNanos,
                          Admission admission) implements Command {
    }

    private record Abort(String requestId) implements Command {
    }

    private record Reset(CompletableFuture<Void> done) implements Command {
    }

    private record ReleaseKvTransfer(String requestId) implements Command {
    }

    /** What the engine publishes for {@code /metrics}. */
    public record Snapshot(EngineStats stats, int heldForLora, String runningLoras, String waitingLoras,
                           long lateSteps) {
    }

    private final Engine engine;
    private final LoopClock clock;
    private final EventExecutor executor;
    private final String name;
    private final Runnable afterWork;
    private final Queue<Command> inbox = new ConcurrentLinkedQueue<>();
    /** A task to read the inbox is queued on the event loop (so a burst of commands costs one task). */
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private final Runnable onWake = this::onWake;
    private final Runnable onStepEnd = this::onStepEnd;
    private final LoraAdmission<Submit> loraAdmission;
    // Event loop only from here on.
    /** Requests inside the engine or held for a LoRA slot, by id. */
    private final Map<String, Tracked> live = new HashMap<>();
    /** Requests given a LoRA slot during a step, submitted before the next one. */
    private final ArrayDeque<Tracked> admittedFromHold = new ArrayDeque<>();
    private volatile boolean stopping;
    private volatile Snapshot snapshot;
    /** The step in progress, or null. */
    private EngineStep step;
    /** Fires {@link #onStepEnd()} at the end of {@link #step}. */
    private ScheduledFuture<?> stepTimer;
    private long stepEnd;
    /** Where the previous step ended on the ideal timeline; none yet at first. */
    private long lastStepEnd = Long.MIN_VALUE;
    private long pendingArrival = Long.MAX_VALUE;
    private long lateSteps;
    /** After a failure nothing runs until this time ({@link System#nanoTime()}); {@code Long.MIN_VALUE} = normal. */
    private long recoveringUntil = Long.MIN_VALUE;

    /**
     * @param engine    the model; driven only from {@code executor} from now on
     * @param clock     the clock {@code engine} was built with
     * @param maxLoras  LoRA adapters allowed in the engine at once
     * @param executor  the event loop that runs the engine (best: the one serving the replica's connections)
     * @param name      the replica's name in log lines
     * @param afterWork runs on {@code executor} after each step and each batch of commands (flushes outputs)
     */
    public EngineLoop(Engine engine, LoopClock clock, int maxLoras, EventExecutor executor, String name,
                      Runnable afterWork) {
        this.engine = engine;
        this.clock = clock;
        this.executor = executor;
        this.name = name;
        this.afterWork = afterWork;
        this.loraAdmission = new LoraAdmission<>(maxLoras);
        this.snapshot = new Snapshot(engine.stats(), 0, "", "", 0);
    }

    /**
     * Queues a request; {@code arrivalNanos} ({@link System#nanoTime()}) is when the server received it.
     * {@code admission} hears whether the engine took it; a refused request's observer hears nothing.
     */
    public void submit(EngineRequest request, RequestObserver observer, long arrivalNanos, Admission admission) {
        enqueue(new Submit(request, observer, arrivalNanos, admission));
    }

    /** Aborts a request at the next step boundary (the client went away). */
    public void abort(String requestId) {
        enqueue(new Abort(requestId));
    }

    /** A decode engine pulled the KV of the prefill-only run {@code requestId}: free its pinned blocks. */
    public void releaseKvTransfer(String requestId) {
        enqueue(new ReleaseKvTransfer(requestId));
    }

    /** Drops every cached block (the engine emits {@code AllBlocksCleared}) and aborts whatever is in flight. */
    public CompletableFuture<Void> reset() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        enqueue(new Reset(done));
        if (stopping) {
            done.completeExceptionally(new IllegalStateException(name + " is stopped"));
        }
        return done;
    }

    /** The latest state published by the engine. */
    public Snapshot snapshot() {
        return snapshot;
    }

    /**
     * Commands always go through the queue, also from the event loop itself: a command given while the engine is
     * inside a step's callbacks (a response finishing lets the next pipelined request submit) must not re-enter it.
     */
    private void enqueue(Command command) {
        inbox.add(command);
        if (!stopping && wakeQueued.compareAndSet(false, true)) {
            try {
                executor.execute(onWake);
            } catch (RejectedExecutionException e) {
                log.debug("{}: event loop gone, command dropped", name);
            }
        }
    }

    private void onWake() {
        wakeQueued.set(false);
        if (stopping || recoveringUntil != Long.MIN_VALUE) {
            return;
        }
        try {
            drainInbox();
            afterWork.run();
            if (step == null) {
                startStepOrIdle();
            }
        } catch (RuntimeException | Error e) {
            recoverFromFailure(e);
        }
    }

    private void onStepEnd() {
        if (stopping || step == null) {
            return;
        }
        try {
            EngineStep finished = step;
            step = null;
            stepTimer = null;
            finished.complete();
            lastStepEnd = stepEnd;
            afterWork.run();
            drainInbox();
            afterWork.run();
            startStepOrIdle();
        } catch (RuntimeException | Error e) {
            recoverFromFailure(e);
        }
    }

    private void startStepOrIdle() {
        if (engine.idle()) {
            publishSnapshot();
            return;
        }
        long now = System.nanoTime();
        long start = Math.max(lastStepEnd, pendingArrival == Long.MAX_VALUE ? Long.MIN_VALUE : pendingArrival);
        if (start < now - MAX_CATCH_UP_NANOS) {
            start = now;
            lateSteps++;
        }
        start = Math.min(start, now);
        pendingArrival = Long.MAX_VALUE;
        step = engine.plan(start);
        stepEnd = start + step.durationNanos();
        publishSnapshot();
        // Behind the timeline the delay is zero: the step completes after the I/O already waiting on the loop.
        stepTimer = executor.schedule(onStepEnd, Math.max(0, stepEnd - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void cancelStep() {
        step = null;
        if (stepTimer != null) {
            stepTimer.cancel(false);
            stepTimer = null;
        }
    }

    /**
     * A model bug must neither kill the replica nor spin on a broken engine: fail what is in flight, reset the engine
     * (cold cache), pause briefly, and keep serving.
     */
    private void recoverFromFailure(Throwable failure) {
        log.error("engine step failed on {}; aborting in-flight requests and resetting", name, failure);
        cancelStep();
        try {
            abortAll();
            engine.reset();
        } catch (RuntimeException | Error again) {
            log.error("engine reset failed on {}", name, again);
        }
        try {
            afterWork.run();
        } catch (RuntimeException ignored) {
            // connections already gone (shutting down)
        }
        lastStepEnd = Long.MIN_VALUE;
        pendingArrival = Long.MAX_VALUE;
        recoveringUntil = System.nanoTime() + RECOVERY_PAUSE_NANOS;
        executor.schedule(() -> {
            recoveringUntil = Long.MIN_VALUE;
            onWake();
        }, RECOVERY_PAUSE_NANOS, TimeUnit.NANOSECONDS);
    }

    /** Runs queued commands, and submits requests that got a LoRA slot meanwhile, until both are empty. */
    private void drainInbox() {
        while (true) {
            Tracked admitted = admittedFromHold.poll();
            if (admitted != null) {
                enterEngine(admitted);
                continue;
            }
            Command command = inbox.poll();
            if (command == null) {
                return;
            }
            switch (command) {
                case Submit submit -> admit(submit);
                case Abort abort -> abortRequest(abort.requestId());
                case ReleaseKvTransfer release -> engine.releaseKvTransfer(release.requestId());
                case Reset reset -> {
                    try {
                        abortAll();
                        engine.reset();
                        reset.done().complete(null);
                    } catch (RuntimeException e) {
                        reset.done().completeExceptionally(e);
                    }
                }
            }
        }
    }

    private void admit(Submit submit) {
        EngineRequest request = submit.request();
        if (live.containsKey(request.id())) {
            log.warn("duplicate request id {} ignored", request.id());
            return;
        }
        Tracked tracked = new Tracked(submit);
        live.put(request.id(), tracked);
        if (loraAdmission.tryAdmit(request.loraName())) {
            tracked.hasLoraSlot = true;
            enterEngine(tracked);
        } else {
            loraAdmission.hold(request.loraName(), submit);
        }
    }

    private void enterEngine(Tracked tracked) {
        if (live.get(tracked.submit.request().id()) != tracked) {
            return; // aborted while waiting for its LoRA slot
        }
        String id = tracked.submit.request().id();
        clock.pin(tracked.submit.arrivalNanos());
        try {
            engine.submit(tracked.submit.request(), tracked);
        } catch (IllegalArgumentException e) {
            live.remove(id);
            List<Submit> admitted = loraAdmission.release(tracked.hasLoraSlot ? tracked.submit.request().loraName()
                    : null);
            admitted.forEach(next -> queueAdmitted(next));
            tracked.submit.admission().rejected(e);
            return;
        } finally {
            clock.unpin();
        }
        tracked.inEngine = true;
        tracked.submit.admission().accepted();
        pendingArrival = Math.min(pendingArrival, tracked.submit.arrivalNanos());
    }

    private void queueAdmitted(Submit next) {
        Tracked tracked = live.get(next.request().id());
        if (tracked != null) {
            tracked.hasLoraSlot = true;
            admittedFromHold.add(tracked);
        }
    }

    private void abortRequest(String id) {
        Tracked tracked = live.get(id);
        if (tracked == null) {
            return;
        }
        if (tracked.inEngine) {
            engine.abort(id);
        }
        if (live.containsKey(id)) {
            // Either held for a LoRA slot, or the engine dropped it without telling the observer.
            loraAdmission.removeHeld(s -> s.request().id().equals(id));
            tracked.onFinished(aborted(tracked.submit.request()));
        }
    }

    private void abortAll() {
        for (Tracked tracked : new ArrayList<>(live.values())) {
            if (tracked.inEngine) {
                try {
                    engine.abort(tracked.submit.request().id());
                } catch (RuntimeException e) {
                    log.warn("engine abort of {} failed", tracked.submit.request().id(), e);
                }
            }
            if (live.containsKey(tracked.submit.request().id())) {
                tracked.onFinished(aborted(tracked.submit.request()));
            }
        }
        loraAdmission.clear();
        admittedFromHold.clear();
    }

    private static Completion aborted(EngineRequest request) {
        return new Completion(request.id(), Completion.FinishReason.ABORT, request.promptTokens().length, 0, 0,
                null, System.nanoTime());
    }

    private void publishSnapshot() {
        snapshot = new Snapshot(engine.stats(), loraAdmission.heldCount(), loraAdmission.runningAdapters(),
                loraAdmission.waitingAdapters(), lateSteps);
    }

    /** Stops the engine: what is in flight is aborted (its connections close). Waits up to 5 s for the loop. */
    @Override
    public void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        Runnable shutdown = () -> {
            cancelStep();
            abortAll();
            afterWork.run();
            for (Command command; (command = inbox.poll()) != null; ) {
                if (command instanceof Reset reset) {
                    reset.done().completeExceptionally(new IllegalStateException(name + " is stopped"));
                }
            }
        };
        if (executor.inEventLoop()) {
            shutdown.run();
            return;
        }
        try {
            executor.submit(shutdown).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            log.warn("{}: engine did not stop cleanly: {}", name, e.toString());
        }
    }

    /** Watches one request's end to release its LoRA slot; forwards everything to the server's observer. */
    private final class Tracked implements RequestObserver {
        final Submit submit;
        boolean inEngine;
        boolean hasLoraSlot;

        Tracked(Submit submit) {
            this.submit = submit;
        }

        @Override
        public void onScheduled(long timeNanos, long queuedNanos, int cachedPromptTokens) {
            submit.observer().onScheduled(timeNanos, queuedNanos, cachedPromptTokens);
        }

        @Override
        public void onTokens(int count, long timeNanos) {
            submit.observer().onTokens(count, timeNanos);
        }

        @Override
        public void onFinished(Completion completion) {
            if (live.remove(submit.request().id()) == null) {
                return;
            }
            List<Submit> admitted = loraAdmission.release(hasLoraSlot ? submit.request().loraName() : null);
            submit.observer().onFinished(completion);
            // Not submitted from here: this runs inside step.complete(), where the engine must not be re-entered.
            admitted.forEach(next -> queueAdmitted(next));
        }
    }
}
