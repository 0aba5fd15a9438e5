package dev.jetway.engine.vllm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.engine.Completion.FinishReason;
import dev.jetway.engine.EngineStep;
import org.junit.jupiter.api.Test;

class SchedulerTest {

    @Test
    void longPromptIsPrefilledInChunksOfTheTokenBudget() {
        Driver d = new Driver(ToyProfile.config(16, 10_000));
        d.submit("long", Driver.tokens(1, 20_000), 2);
        assertThat(d.step().batchedTokens()).isEqualTo(8192);
        assertThat(d.step().batchedTokens()).isEqualTo(8192);
        assertThat(d.traces.get("long").tokenTimes).isEmpty(); // partial prefills produce no token
        assertThat(d.step().batchedTokens()).isEqualTo(20_000 - 2 * 8192);
        assertThat(d.traces.get("long").tokenTimes).hasSize(1);
    }

    @Test
    void decodesGoFirstAndNewPromptsFillTheRestOfTheBudget() {
        Driver d = new Driver(ToyProfile.config(16, 10_000).withMaxNumBatchedTokens(100));
        d.submit("a", Driver.tokens(1, 50), 10);
        d.step(); // a's prompt
        d.submit("b", Driver.tokens(1000, 300), 1);
        EngineStep mixed = d.step();
        assertThat(mixed.batchedTokens()).isEqualTo(100); // a's decode token + 99 of b's prompt
        assertThat(d.traces.get("a").tokenTimes).hasSize(2);
        assertThat(d.engine.stats().running()).isEqualTo(2);
    }

    @Test
    void maxNumSeqsCapsTheRunningBatch() {
        Driver d = new Driver(ToyProfile.config(16, 10_000).withMaxNumSeqs(2));
        for (int i = 0; i < 3; i++) {
            d.submit("r" + i, Driver.tokens(100 * i, 10), 5);
        }
        d.step();
        assertThat(d.engine.stats().running()).isEqualTo(2);
        assertThat(d.engine.stats().waiting()).isEqualTo(1);
        d.runToIdle();
        assertThat(d.traces.get("r2").scheduledAt).isGreaterThanOrEqualTo(d.traces.get("r0").completion.timeNanos());
        assertThat(d.traces.get("r2").queued).isEqualTo(d.traces.get("r2").scheduledAt);
    }

    @Test
    void newestRunningRequestIsPreemptedWhenMemoryRunsOutAndLaterCompletes() {
        // 8 blocks of 4 tokens; each request grows to 24 tokens (6 blocks), so both cannot finish together.
        Driver d = new Driver(ToyProfile.config(4, 8));
        Driver.Trace older = d.submit("older", Driver.tokens(1, 8), 16);
        Driver.Trace newer = d.submit("newer", Driver.tokens(100, 8), 16);
        d.step();
        assertThat(d.engine.stats().running()).isEqualTo(2);
        d.runToIdle();

        assertThat(d.engine.stats().preemptions()).isPositive();
        assertThat(older.completion.reason()).isEqualTo(FinishReason.LENGTH);
        assertThat(newer.completion.reason()).isEqualTo(FinishReason.LENGTH);
        assertThat(older.tokenTimes).hasSize(16);
        assertThat(newer.tokenTimes).hasSize(16);
        assertThat(older.completion.timeNanos()).isLessThan(newer.completion.timeNanos());
        // The newer one stalled while it was out of the batch: one gap is much longer than the older's longest gap.
        assertThat(maxGap(newer)).isGreaterThan(maxGap(older));
        assertThat(d.engine.stats().kvCacheUsage()).isZero();
    }

    @Test
    void preemptedRequestIsRecomputedAheadOfNewArrivals() {
        Driver d = new Driver(ToyProfile.config(4, 8));
        d.submit("older", Driver.tokens(1, 8), 16);
        Driver.Trace newer = d.submit("newer", Driver.tokens(100, 8), 16);
        while (d.engine.stats().preemptions() == 0) {
            d.step();
        }
        int beforeGap = newer.tokenTimes.size();
        Driver.Trace late = d.submit("late", Driver.tokens(500, 4), 1);
        d.runToIdle();
        // FCFS with the preempted request at the head: the newcomer cannot overtake its recomputation.
        assertThat(late.firstTokenAt()).isGreaterThanOrEqualTo(newer.tokenTimes.get(beforeGap));
    }

    private static long maxGap(Driver.Trace t) {
        long max = 0;
        for (int i = 1; i < t.tokenTimes.size(); i++) {
            max = Math.max(max, t.tokenTimes.get(i) - t.tokenTimes.get(i - 1));
        }
        return max;
    }

    @Test
    void abortFreesBlocksAtOnceAndTellsTheObserver() {
        Driver d = new Driver(ToyProfile.config(16, 100));
        Driver.Trace t = d.submit("a", Driver.tokens(1, 160), 50);
        d.step();
        d.step();
        assertThat(d.engine.stats().kvCacheUsage()).isEqualTo(11 / 100.0);
        d.engine.abort("a");
        assertThat(d.engine.stats().kvCacheUsage()).isZero();
        assertThat(d.engine.idle()).isTrue();
        assertThat(t.completion.reason()).isEqualTo(FinishReason.ABORT);
        assertThat(t.completion.completionTokens()).isEqualTo(2);
        d.engine.abort("a");
        d.engine.abort("never-seen");
    }

    @Test
    void abortDuringAStepDeliversNothingMore() {
        Driver d = new Driver(ToyProfile.config(16, 100));
        Driver.Trace a = d.submit("a", Driver.tokens(1, 16), 5);
        Driver.Trace b = d.submit("b", Driver.tokens(100, 16), 5);
        EngineStep step = d.engine.plan(0);
        d.engine.abort("a");
        d.clock.advanceTo(step.durationNanos());
        step.complete();
        assertThat(a.tokenTimes).isEmpty();
        assertThat(a.completion.reason()).isEqualTo(FinishReason.ABORT);
        assertThat(b.tokenTimes).hasSize(1);
        d.runToIdle();
        assertThat(b.completion.completionTokens()).isEqualTo(5);
    }

    @Test
    void abortOfAWaitingRequestRemovesItFromTheQueue() {
        Driver d = new Driver(ToyProfile.config(16, 100).withMaxNumSeqs(1));
        d.submit("a", Driver.tokens(1, 16), 5);
        Driver.Trace b = d.submit("b", Driver.tokens(100, 16), 5);
        d.step();
        assertThat(d.engine.stats().waiting()).isEqualTo(1);
        d.engine.abort("b");
        assertThat(d.engine.stats().waiting()).isZero();
        assertThat(b.completion.reason()).isEqualTo(FinishReason.ABORT);
        assertThat(b.scheduledAt).isEqualTo(-1);
        d.runToIdle();
    }
}
