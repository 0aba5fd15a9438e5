package dev.jetway.engine.vllm;

import dev.jetway.engine.Completion;
import dev.jetway.engine.EngineConfig;
import dev.jetway.engine.EngineRequest;
import dev.jetway.engine.EngineStep;
import dev.jetway.engine.RequestObserver;
import dev.jetway.engine.VirtualClock;
import dev.jetway.kvcache.event.KvEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Drives a {@link VllmEngine} on virtual time and records what every request heard, for tests. */
final class Driver {

    /** What one request heard. */
    static final class Trace implements RequestObserver {
        long scheduledAt = -1;
        long queued;
        int cachedAtSchedule = -1;
        final List<Long> tokenTimes = new ArrayList<>();
        Completion completion;

        @Override
        public void onScheduled(long timeNanos, long queuedNanos, int cachedPromptTokens) {
            scheduledAt = timeNanos;
            queued = queuedNanos;
            cachedAtSchedule = cachedPromptTokens;
        }

        @Override
        public void onTokens(int count, long timeNanos) {
            for (int i = 0; i < count; i++) {
                tokenTimes.add(timeNanos);
            }
        }

        @Override
        public void onFinished(Completion c) {
            if (completion != null) {
                throw new AssertionError("finished twice: " + c);
            }
            completion = c;
        }

        long firstTokenAt() {
            return tokenTimes.getFirst();
        }

        /** Mean gap between consecutive output tokens, in nanoseconds. */
        double meanItlNanos() {
            return (double) (tokenTimes.getLast() - tokenTimes.getFirst()) / (tokenTimes.size() - 1);
        }
    }

    record TimedEvent(KvEvent event, long timeNanos) {
    }

    final VirtualClock clock = new VirtualClock(0);
    final List<TimedEvent> events = new ArrayList<>();
    final VllmEngine engine;
    final Map<String, Trace> traces = new LinkedHashMap<>();
    int steps;

    Driver(EngineConfig config) {
        engine = new VllmEngine(config, clock, (e, t) -> events.add(new TimedEvent(e, t)));
    }

    Trace submit(EngineRequest request) {
        Trace trace = new Trace();
        traces.put(request.id(), trace);
        engine.submit(request, trace);
        return trace;
    }

    Trace submit(String id, int[] prompt, int maxTokens) {
        return submit(EngineRequest.of(id, prompt, maxTokens));
    }

    /** Runs steps until the engine is idle. */
    void runToIdle() {
        while (!engine.idle()) {
            step();
        }
    }

    /** Plans and completes one step at the current time, advancing the clock by its duration. */
    EngineStep step() {
        EngineStep step = engine.plan(clock.nanos());
        clock.advanceTo(clock.nanos() + step.durationNanos());
        step.complete();
        steps++;
        return step;
    }

    /** Runs until the clock reaches {@code nanos} or the engine is idle, then moves the clock there. */
    void runUntil(long nanos) {
        while (!engine.idle() && clock.nanos() < nanos) {
            step();
        }
        if (clock.nanos() < nanos) {
            clock.advanceTo(nanos);
        }
    }

    /** {@code n} distinct tokens starting at {@code first}. */
    static int[] tokens(int first, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = first + i;
        }
        return t;
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
