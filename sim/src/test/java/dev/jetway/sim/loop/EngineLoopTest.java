package dev.jetway.sim.loop;

import dev.jetway.engine.Completion;
import dev.jetway.engine.Engine;
import dev.jetway.engine.EngineRequest;
import dev.jetway.engine.EngineStats;
import dev.jetway.engine.EngineStep;
import dev.jetway.engine.KvTransfer;
import dev.jetway.engine.RequestObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class EngineLoopTest {

    /** A tiny engine: every step lasts STEP and gives each running request one token; FIFO, no memory limits. */
    static final class OneTokenPerStepEngine implements Engine {
        static final long STEP = TimeUnit.MILLISECONDS.toNanos(5);
        final ArrayDeque<Object[]> running = new ArrayDeque<>();
        final List<String> submitted = new ArrayList<>();
        final List<Long> submitTimes = new ArrayList<>();
        final LoopClock clock;

        OneTokenPerStepEngine(LoopClock clock) {
            this.clock = clock;
        }

        @Override
        public void submit(EngineRequest request, RequestObserver observer) {
            if (request.promptTokens().length > 100) {
                throw new IllegalArgumentException("too long for this engine");
            }
            submitted.add(request.id());
            submitTimes.add(clock.nanos());
            running.add(new Object[] {request, observer, new int[1]});
        }

        @Override
        public void abort(String requestId) {
            running.removeIf(r -> {
                if (((EngineRequest) r[0]).id().equals(requestId)) {
                    ((RequestObserver) r[1]).onFinished(new Completion(requestId, Completion.FinishReason.ABORT,
                            1, 0, ((int[]) r[2])[0], null, clock.nanos()));
                    return true;
                }
                return false;
            });
        }

        @Override
        public boolean idle() {
            return running.isEmpty();
        }

        volatile boolean failNextPlan;

        @Override
        public EngineStep plan(long startNanos) {
            if (failNextPlan) {
                failNextPlan = false;
                throw new IllegalStateException("model bug");
            }
            List<Object[]> batch = new ArrayList<>(running);
            return new EngineStep() {
                @Override
                public long durationNanos() {
                    return STEP;
                }

                @Override
                public int batchedTokens() {
                    return batch.size();
                }

                @Override
                public void complete() {
                    for (Object[] r : batch) {
                        EngineRequest request = (EngineRequest) r[0];
                        RequestObserver observer = (RequestObserver) r[1];
                        int done = ++((int[]) r[2])[0];
                        observer.onTokens(1, startNanos + STEP);
                        if (done == request.maxTokens()) {
                            running.remove(r);
                            observer.onFinished(new Completion(request.id(), Completion.FinishReason.LENGTH,
                                    request.promptTokens().length, 0, done, null, startNanos + STEP));
                        }
                    }
                }
            };
        }

        @Override
        public EngineStats stats() {
            return new EngineStats(running.size(), 0, 0, 16, 100, 0, 0, 0, 0, 0);
        }

        @Override
        public void reset() {
            new ArrayList<>(running).forEach(r -> abort(((EngineRequest) r[0]).id()));
        }
    }

    /** Records what a request heard. */
    static final class Recorder implements RequestObserver, Admission {
        final ConcurrentLinkedQueue<Long> tokenTimes = new ConcurrentLinkedQueue<>();
        volatile Completion completion;
        volatile Boolean accepted;
        volatile RuntimeException rejection;

        @Override
        public void onTokens(int count, long timeNanos) {
            tokenTimes.add(timeNanos);
        }

        @Override
        public void onFinished(Completion finished) {
            completion = finished;
        }

        @Override
        public void accepted() {
            accepted = true;
        }

        @Override
        public void rejected(RuntimeException reason) {
            accepted = false;
            rejection = reason;
        }
    }

    private final LoopClock clock = new LoopClock();
    private final OneTokenPerStepEngine engine = new OneTokenPerStepEngine(clock);
    private EngineLoop loop;

    private EngineLoop start(int maxLoras) {
        loop = new EngineLoop(engine, clock, maxLoras, "test-engine", () -> { });
        loop.start();
        return loop;
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
        }
    }

    private static EngineRequest request(String id, int maxTokens, String lora) {
        return new EngineRequest(id, new int[] {1, 2, 3}, maxTokens, 0, true, lora, null, KvTransfer.NONE);
    }

    @Test
    void stepsFollowTheIdealTimelineFromTheRequestsArrival() {
        start(1);
        Recorder recorder = new Recorder();
        // Arrived 3 ms ago: the engine should start the first step then, not when its thread woke up.
        long arrival = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(3);
        loop.submit(request("a", 4, null), recorder, arrival, recorder);

        await().atMost(Duration.ofSeconds(5)).until(() -> recorder.completion != null);
        assertThat(recorder.accepted).isTrue();
        assertThat(engine.submitTimes).containsExactly(arrival);
        List<Long> times = new ArrayList<>(recorder.tokenTimes);
        assertThat(times).containsExactly(arrival + OneTokenPerStepEngine.STEP, arrival + 2 * OneTokenPerStepEngine.STEP,
                arrival + 3 * OneTokenPerStepEngine.STEP, arrival + 4 * OneTokenPerStepEngine.STEP);
        // ... and the last output was not delivered before its modelled time.
        assertThat(recorder.completion.timeNanos()).isLessThanOrEqualTo(System.nanoTime());
    }

    @Test
    void refusedRequestIsRejectedWithoutHurtingOthers() {
        start(1);
        Recorder bad = new Recorder();
        Recorder good = new Recorder();
        loop.submit(new EngineRequest("bad", new int[200], 1, 0, true, null, null, KvTransfer.NONE), bad,
                System.nanoTime(), bad);
        loop.submit(request("good", 2, null), good, System.nanoTime(), good);

        await().atMost(Duration.ofSeconds(5)).until(() -> good.completion != null);
        assertThat(bad.accepted).isFalse();
        assertThat(bad.rejection).hasMessageContaining("too long");
        assertThat(bad.completion).isNull();
        assertThat(good.completion.reason()).isEqualTo(Completion.FinishReason.LENGTH);
    }

    @Test
    void maxLorasHoldsAnotherAdapterUntilTheRunningOneFinishes() {
        start(1);
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        Recorder base = new Recorder();
        loop.submit(request("a1", 1000, "adapter-a"), first, System.nanoTime(), first);
        loop.submit(request("b1", 2, "adapter-b"), second, System.nanoTime(), second);
        loop.submit(request("base", 2, null), base, System.nanoTime(), base);

        await().atMost(Duration.ofSeconds(5)).until(() -> base.completion != null);
        assertThat(second.accepted).isNull();
        assertThat(loop.snapshot().heldForLora()).isEqualTo(1);
        assertThat(loop.snapshot().runningLoras()).isEqualTo("adapter-a");
        assertThat(loop.snapshot().waitingLoras()).isEqualTo("adapter-b");

        loop.abort("a1");
        await().atMost(Duration.ofSeconds(5)).until(() -> second.completion != null);
        assertThat(first.completion.reason()).isEqualTo(Completion.FinishReason.ABORT);
        assertThat(second.completion.reason()).isEqualTo(Completion.FinishReason.LENGTH);
        assertThat(engine.submitted).containsExactly("a1", "base", "b1");
    }

    @Test
    void resetAbortsEverythingInFlightIncludingHeldRequests() {
        start(1);
        Recorder running = new Recorder();
        Recorder held = new Recorder();
        loop.submit(request("r", 1000, "x"), running, System.nanoTime(), running);
        loop.submit(request("h", 1000, "y"), held, System.nanoTime(), held);
        await().atMost(Duration.ofSeconds(5)).until(() -> !running.tokenTimes.isEmpty());

        loop.reset().join();

        assertThat(running.completion.reason()).isEqualTo(Completion.FinishReason.ABORT);
        assertThat(held.completion.reason()).isEqualTo(Completion.FinishReason.ABORT);
        assertThat(engine.idle()).isTrue();
    }

    @Test
    void aFailingStepAbortsWhatIsInFlightAndTheReplicaKeepsServing() {
        start(1);
        engine.failNextPlan = true;
        Recorder victim = new Recorder();
        loop.submit(request("victim", 3, null), victim, System.nanoTime(), victim);
        await().atMost(Duration.ofSeconds(5)).until(() -> victim.completion != null);
        assertThat(victim.completion.reason()).isEqualTo(Completion.FinishReason.ABORT);

        Recorder next = new Recorder();
        loop.submit(request("next", 2, null), next, System.nanoTime(), next);
        await().atMost(Duration.ofSeconds(5)).until(() -> next.completion != null);
        assertThat(next.completion.reason()).isEqualTo(Completion.FinishReason.LENGTH);
    }
}
