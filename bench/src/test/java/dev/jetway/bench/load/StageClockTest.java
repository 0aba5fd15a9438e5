package dev.jetway.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.bench.workload.IntDistribution;
import dev.jetway.bench.workload.RandomWorkload;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageClockTest {

    private static final long S = 1_000_000_000L;
    private final RandomWorkload workload = new RandomWorkload(IntDistribution.of(10), IntDistribution.of(5), 0, 1);

    /** Stage 0: requests at 1 s and 3 s of [0, 10 s); stage 1: a request at 10.5 s of [10 s, 20 s). */
    private RequestPlan plan(StageTransition transition) {
        return new RequestPlan(List.of(
                new PlannedRequest(S, 0, workload.request(0)),
                new PlannedRequest(3 * S, 0, workload.request(1)),
                new PlannedRequest(10 * S + S / 2, 1, workload.request(2))),
                List.of(new StageInfo(0, 0.2, 0, 10 * S, false), new StageInfo(1, 0.1, 10 * S, 20 * S, false)),
                transition);
    }

    @Test
    void continuousStagesKeepThePlannedTimesAndWindows() {
        StageClock clock = new StageClock(plan(StageTransition.CONTINUOUS));
        assertThat(clock.sendAt(plan(StageTransition.CONTINUOUS).requests().get(2))).isEqualTo(10 * S + S / 2);
        assertThat(clock.ended(0, 50 * S)).isFalse();
        assertThat(clock.starts()).containsExactly(0, 10 * S);
        assertThat(clock.ends()).containsExactly(10 * S, 20 * S);
    }

    @Test
    void aDrainedStageStartsTheNextAfterIntervalAndLeadKeepingThePlannedOffsets() {
        RequestPlan plan = plan(StageTransition.INFERENCE_PERF);
        StageClock clock = new StageClock(plan);
        assertThat(clock.sendAt(plan.requests().get(0))).isEqualTo(S);
        assertThat(clock.sendAt(plan.requests().get(1))).isEqualTo(3 * S);
        // Stage 1 waits while stage 0 has requests in flight, however late they run.
        assertThat(clock.sendAt(plan.requests().get(2))).isEqualTo(-1);
        assertThat(clock.ended(0, 30 * S)).isFalse();
        assertThat(clock.sendAt(plan.requests().get(2))).isEqualTo(-1);
        // The last one ends at 42 s: stage 1 starts 1 s (load.interval) + 1 s (lead) later, at 44 s, and its
        // request keeps its 0.5 s offset from the stage start.
        assertThat(clock.ended(0, 42 * S)).isTrue();
        assertThat(clock.sendAt(plan.requests().get(2))).isEqualTo(44 * S + S / 2);
        assertThat(clock.ended(1, 47 * S)).isTrue();
        assertThat(clock.starts()).containsExactly(0, 44 * S);
        assertThat(clock.ends()).containsExactly(42 * S, 47 * S);
    }

    @Test
    void aStageWithoutRequestsIsOverAsSoonAsItStarts() {
        RequestPlan plan = new RequestPlan(List.of(
                new PlannedRequest(0, 0, workload.request(0)),
                new PlannedRequest(20 * S, 2, workload.request(1))),
                List.of(new StageInfo(0, 1, 0, 10 * S, false), new StageInfo(1, 0.01, 10 * S, 20 * S, false),
                        new StageInfo(2, 1, 20 * S, 30 * S, false)),
                StageTransition.inferencePerf(0));
        StageClock clock = new StageClock(plan);
        assertThat(clock.ended(0, 5 * S)).isTrue();
        // Empty stage 1 runs from 6 s to 6 s (lead 1 s, no interval); stage 2 starts 1 s later, at 7 s.
        assertThat(clock.starts()).containsExactly(0, 6 * S, 7 * S);
        assertThat(clock.ends()[1]).isEqualTo(6 * S);
        assertThat(clock.sendAt(plan.requests().get(1))).isEqualTo(7 * S);
    }
}
