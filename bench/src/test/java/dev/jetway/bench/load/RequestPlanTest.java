package dev.jetway.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.bench.workload.IntDistribution;
import dev.jetway.bench.workload.RandomWorkload;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestPlanTest {

    private final RandomWorkload workload = new RandomWorkload(IntDistribution.of(10), IntDistribution.of(5), 0, 1);

    @Test
    void poissonArrivalsHaveTheStageMeanRateAndStayInsideTheirStage() {
        RequestPlan plan = RequestPlan.build(workload, LoadProfile.poisson(new LoadStage(50, 100), new LoadStage(200, 50)), 0);
        List<PlannedRequest> first = plan.requests().stream().filter(r -> r.stage() == 0).toList();
        List<PlannedRequest> second = plan.requests().stream().filter(r -> r.stage() == 1).toList();
        // 5,000 and 10,000 expected; a Poisson count's std dev is sqrt(n): allow 4 sigma.
        assertThat(first.size()).isBetween(5000 - 283, 5000 + 283);
        assertThat(second.size()).isBetween(10000 - 400, 10000 + 400);
        assertThat(first).allMatch(r -> r.sendAtNanos() < 100_000_000_000L);
        assertThat(second).allMatch(r -> r.sendAtNanos() >= 100_000_000_000L && r.sendAtNanos() < 150_000_000_000L);
        assertThat(plan.stages().get(1).startNanos()).isEqualTo(100_000_000_000L);
        assertThat(plan.endNanos()).isEqualTo(150_000_000_000L);
        // Exponential gaps: the coefficient of variation is 1 (a constant process would give 0).
        double[] gaps = new double[second.size() - 1];
        for (int i = 1; i < second.size(); i++) {
            gaps[i - 1] = second.get(i).sendAtNanos() - second.get(i - 1).sendAtNanos();
        }
        double mean = java.util.Arrays.stream(gaps).average().orElseThrow();
        double sd = Math.sqrt(java.util.Arrays.stream(gaps).map(g -> (g - mean) * (g - mean)).average().orElseThrow());
        assertThat(mean).isCloseTo(5_000_000, org.assertj.core.data.Percentage.withPercentage(5));
        assertThat(sd / mean).isBetween(0.9, 1.1);
    }

    @Test
    void constantArrivalsAreEvenlySpacedAndRequestsFollowTheIssueOrder() {
        RequestPlan plan = RequestPlan.build(workload, LoadProfile.constant(new LoadStage(4, 1), new LoadStage(2, 1)), 0);
        assertThat(plan.requests()).extracting(PlannedRequest::sendAtNanos)
                .containsExactly(0L, 250_000_000L, 500_000_000L, 750_000_000L, 1_000_000_000L, 1_500_000_000L);
        assertThat(plan.requests()).extracting(r -> r.request().index()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(plan.requests()).extracting(PlannedRequest::stage).containsExactly(0, 0, 0, 0, 1, 1);
    }

    @Test
    void sameSeedSamePlanAndMaxRequestsTruncates() {
        LoadProfile load = LoadProfile.poisson(new LoadStage(10, 10));
        assertThat(RequestPlan.build(workload, load, 0).requests().stream().map(PlannedRequest::sendAtNanos).toList())
                .isEqualTo(RequestPlan.build(workload, load, 0).requests().stream().map(PlannedRequest::sendAtNanos).toList());
        assertThat(RequestPlan.build(workload, load, 7).requests()).hasSize(7);
    }
}
