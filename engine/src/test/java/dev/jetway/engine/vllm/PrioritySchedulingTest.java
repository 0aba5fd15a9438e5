package dev.jetway.engine.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.engine.Completion.FinishReason;
import dev.jetway.engine.EngineConfig;
import dev.jetway.engine.EngineRequest;
import dev.jetway.engine.EngineStep;
import dev.jetway.engine.SchedulingPolicy;
import org.junit.jupiter.api.Test;

/** vLLM's {@code --scheduling-policy priority}: the waiting queue by priority, preemption of the lowest priority. */
class PrioritySchedulingTest {

    private static EngineConfig priority(EngineConfig config) {
        return config.withSchedulingPolicy(SchedulingPolicy.PRIORITY);
    }

    private static EngineRequest req(String id, int firstToken, int promptTokens, int maxTokens, int priority) {
        return EngineRequest.of(id, Driver.tokens(firstToken, promptTokens), maxTokens).withPriority(priority);
    }

    @Test
    void lowerValueIsAdmittedFirstThenArrivalOrder() {
        // One request runs at a time, so admission order is service order.
        Driver d = new Driver(priority(ToyProfile.config(16, 1000).withMaxNumSeqs(1)));
        d.submit(req("running", 1, 32, 4, 0));
        d.step();
        d.submit(req("batch-1", 100, 32, 1, 5));
        d.submit(req("standard", 200, 32, 1, 0));
        d.submit(req("batch-2", 300, 32, 1, 5));
        d.submit(req("critical", 400, 32, 1, -10));
        d.runToIdle();
        assertThat(d.traces.get("critical").firstTokenAt()).isLessThan(d.traces.get("standard").firstTokenAt());
        assertThat(d.traces.get("standard").firstTokenAt()).isLessThan(d.traces.get("batch-1").firstTokenAt());
        assertThat(d.traces.get("batch-1").firstTokenAt()).isLessThan(d.traces.get("batch-2").firstTokenAt());
        // but nothing overtakes the request already running: the policy orders admissions, not the running batch
        assertThat(d.traces.get("running").completion.timeNanos())
                .isLessThan(d.traces.get("critical").firstTokenAt());
    }

    @Test
    void firstComeFirstServedIgnoresNothingButRefusesAPriority() {
        Driver fcfs = new Driver(ToyProfile.config(16, 1000).withMaxNumSeqs(1));
        fcfs.submit(req("running", 1, 32, 4, 0));
        fcfs.step();
        fcfs.submit(req("first", 100, 32, 1, 0));
        fcfs.submit(req("second", 200, 32, 1, 0));
        fcfs.runToIdle();
        assertThat(fcfs.traces.get("first").firstTokenAt()).isLessThan(fcfs.traces.get("second").firstTokenAt());
        // vLLM answers 400 to a priority other than 0 unless it runs the priority policy
        assertThatThrownBy(() -> fcfs.submit(req("urgent", 300, 32, 1, -1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Got priority -1 but Priority scheduling is not enabled.");
    }

    @Test
    void memoryShortagePreemptsTheLowestPriorityEvenWhenItIsOlder() {
        // 8 blocks of 4 tokens; each request grows to 24 tokens (6 blocks), so both cannot finish together. The
        // low-priority request came first: first come first served would preempt the newer, urgent one.
        Driver d = new Driver(priority(ToyProfile.config(4, 8)));
        Driver.Trace low = d.submit(req("low", 1, 8, 16, 5));
        Driver.Trace urgent = d.submit(req("urgent", 100, 8, 16, -5));
        d.step();
        assertThat(d.engine.stats().running()).isEqualTo(2);
        d.runToIdle();

        assertThat(d.engine.stats().preemptions()).isPositive();
        assertThat(low.completion.reason()).isEqualTo(FinishReason.LENGTH);
        assertThat(urgent.completion.reason()).isEqualTo(FinishReason.LENGTH);
        assertThat(urgent.completion.timeNanos()).isLessThan(low.completion.timeNanos());
        assertThat(maxGap(low)).isGreaterThan(maxGap(urgent));
        assertThat(d.engine.stats().kvCacheUsage()).isZero();
    }

    @Test
    void aVictimAlreadyInTheStepGivesItsTokensBack() {
        // "low" is scheduled first in the step; "urgent" then needs a block: low leaves the step it was in.
        Driver d = new Driver(priority(ToyProfile.config(4, 8)));
        Driver.Trace low = d.submit(req("low", 1, 8, 16, 5));
        d.submit(req("urgent", 100, 8, 16, -5));
        int lowTokensBefore;
        EngineStep preempting;
        do {
            lowTokensBefore = low.tokenTimes.size();
            preempting = d.step();
        } while (d.engine.stats().preemptions() == 0);
        // the step holds urgent's decode token only, and low got nothing from it
        assertThat(preempting.batchedTokens()).isEqualTo(1);
        assertThat(low.tokenTimes).hasSize(lowTokensBefore);
        assertThat(d.engine.stats().running()).isEqualTo(1);
        assertThat(d.engine.stats().waiting()).isEqualTo(1);
        d.runToIdle();
        assertThat(low.tokenTimes).hasSize(16);
    }

    @Test
    void aPreemptedRequestWaitsBehindHigherPriorityNewcomers() {
        Driver d = new Driver(priority(ToyProfile.config(4, 8)));
        Driver.Trace low = d.submit(req("low", 1, 8, 16, 5));
        d.submit(req("urgent", 100, 8, 16, -5));
        while (d.engine.stats().preemptions() == 0) {
            d.step();
        }
        int beforeGap = low.tokenTimes.size();
        Driver.Trace late = d.submit(req("late-urgent", 500, 4, 1, -5));
        d.runToIdle();
        // by priority the newcomer goes before the preempted request's recomputation (FCFS would not let it)
        assertThat(late.firstTokenAt()).isLessThan(low.tokenTimes.get(beforeGap));
    }

    @Test
    void schedulingPolicyParsesVllmsFlagValues() {
        assertThat(SchedulingPolicy.parse("priority")).isEqualTo(SchedulingPolicy.PRIORITY);
        assertThat(SchedulingPolicy.parse("FCFS")).isEqualTo(SchedulingPolicy.FCFS);
        assertThat(SchedulingPolicy.PRIORITY.flagValue()).isEqualTo("priority");
        assertThatThrownBy(() -> SchedulingPolicy.parse("lifo")).hasMessageContaining("fcfs or priority");
    }

    private static long maxGap(Driver.Trace t) {
        long max = 0;
        for (int i = 1; i < t.tokenTimes.size(); i++) {
            max = Math.max(max, t.tokenTimes.get(i) - t.tokenTimes.get(i - 1));
        }
        return max;
    }
}
