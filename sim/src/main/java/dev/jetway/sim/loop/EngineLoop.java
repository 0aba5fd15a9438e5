package dev.jetway.sim.loop;

import dev.jetway.engine.Completion;
import dev.jetway.engine.Engine;
import dev.jetway.engine.EngineRequest;
import dev.jetway.engine.EngineStats;
import dev.jetway.engine.EngineStep;
import dev.jetway.engine.RequestObserver;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives one {@link Engine} on wall time from its own platform thread: plan a step, sleep until it ends, complete it.
 * Other threads hand submissions, aborts and resets over through a queue, so Netty's event loops never block and
 * the engine stays single-threaded.
 *
 * <p>Steps follow an ideal timeline: a step starts when the previous one ended, or, after idling, when the first new
 * request arrived, not when this thread happened to wake up. Thread wake-up and scheduling lateness therefore
 * shows up as the simulator's own delay rather than silently stretching the model's times, up to
 * {@link #MAX_CATCH_UP_NANOS}; beyond that the timeline restarts from now (the machine is overloaded).
 */
public final class EngineLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EngineLoop.class);
    static final long MAX_CATCH_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

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

    /** What the engine thread publishes for {@code /metrics}. */
    public record Snapshot(EngineStats stats, int heldForLora, String runningLoras, String waitingLoras,
                           long lateSteps) {
    }

    private final Engine engine;
    private final LoopClock clock;
    private final Runnable afterWork;
    private final Queue<Command> inbox = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private final LoraAdmission<Submit> loraAdmission;
    /** Requests inside the engine or held for a LoRA slot, by id. Engine thread only. */
    private final Map<String, Tracked> live = new HashMap<>();
    /** Requests given a LoRA slot during a step, submitted before the next one. Engine thread only. */
    private final ArrayDeque<Tracked> admittedFromHold = new ArrayDeque<>();
    private volatile boolean idleParked;
    private volatile boolean stopping;
    private volatile Snapshot snapshot;
    /** Where the previous step ended on the ideal timeline; none yet at first. */
    private long lastStepEnd = Long.MIN_VALUE;
    private long pendingArrival = Long.MAX_VALUE;
    private long lateSteps;

    /**
     * @param engine   the model; driven only from this loop's thread from now on
     * @param clock    the clock {@code engine} was built with
     * @param maxLoras LoRA adapters allowed in the engine at once
     * @param name     thread name
     * @param afterWork runs on the engine thread after each step and each batch of commands (flushes outputs)
     */
    public EngineLoop(Engine engine, LoopClock clock, int maxLoras, String name, Runnable afterWork) {
        this.engine = engine;
        this.clock = clock;
        this.afterWork = afterWork;
        this.loraAdmission = new LoraAdmission<>(maxLoras);
        this.snapshot = new Snapshot(engine.stats(), 0, "", "", 0);
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
        thread.setPriority(Thread.MAX_PRIORITY);
    }

    public void start() {
        thread.start();
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
        return done;
    }

    /** The latest state published by the engine thread. */
    public Snapshot snapshot() {
        return snapshot;
    }

    private void enqueue(Command command) {
        inbox.add(command);
        if (idleParked) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        while (!stopping) {
            try {
                drainInbox();
                afterWork.run();
                if (engine.idle()) {
                    publishSnapshot();
                    idleParked = true;
                    if (inbox.isEmpty() && !stopping) {
                        LockSupport.park(this);
                    }
                    idleParked = false;
                    continue;
                }
                runStep();
            } catch (RuntimeException | Error e) {
                // A model bug must neither kill the replica nor spin on a broken engine: fail what is in flight,
                // reset the engine (cold cache), pause briefly, and keep serving.
                log.error("engine step failed on {}; aborting in-flight requests and resetting", thread.getName(), e);
                recoverFromFailure();
            }
        }
        abortAll();
        afterWork.run();
    }

    private void recoverFromFailure() {
        try {
            abortAll();
            engine.reset();
        } catch (RuntimeException | Error again) {
            log.error("engine reset failed on {}", thread.getName(), again);
        }
        try {
            afterWork.run();
        } catch (RuntimeException ignored) {
            // event loops already gone (shutting down)
        }
        lastStepEnd = Long.MIN_VALUE;
        pendingArrival = Long.MAX_VALUE;
        LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
    }

    private void runStep() {
        long now = System.nanoTime();
        long start = Math.max(lastStepEnd, pendingArrival == Long.MAX_VALUE ? Long.MIN_VALUE : pendingArrival);
        if (start < now - MAX_CATCH_UP_NANOS) {
            start = now;
            lateSteps++;
        }
        start = Math.min(start, now);
        pendingArrival = Long.MAX_VALUE;
        EngineStep step = engine.plan(start);
        long end = start + step.durationNanos();
        for (long remaining = end - System.nanoTime(); remaining > 0; remaining = end - System.nanoTime()) {
            LockSupport.parkNanos(this, remaining);
        }
        step.complete();
        afterWork.run();
        lastStepEnd = end;
        publishSnapshot();
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

    @Override
    public void close() {
        stopping = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
