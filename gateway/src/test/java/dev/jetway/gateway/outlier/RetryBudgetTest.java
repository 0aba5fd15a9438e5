package dev.jetway.gateway.outlier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.config.UpstreamSettings;
import dev.jetway.gateway.metrics.GatewayMetrics;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Envoy's retry budget: a share of the requests in flight, never fewer than the minimum, held until release. */
class RetryBudgetTest {

    private static UpstreamSettings upstream(String extra) {
        return ConfigLoader.parse("upstream: {" + extra + "}\npools: [{name: p}]", "test").upstream();
    }

    @Test
    void allowsTheMinimumWithNothingInFlightAndHoldsEachPlaceUntilReleased() {
        GatewayMetrics metrics = new GatewayMetrics();
        RetryBudget budget = new RetryBudget(new OutlierMetrics(metrics, "p"));
        UpstreamSettings defaults = upstream("");
        assertThat(budget.tryAcquire(defaults, List.of())).isTrue();
        assertThat(budget.tryAcquire(defaults, List.of())).isTrue();
        assertThat(budget.tryAcquire(defaults, List.of())).isTrue();
        assertThat(budget.tryAcquire(defaults, List.of())).isFalse(); // minRetryConcurrency 3
        budget.release();
        assertThat(budget.tryAcquire(defaults, List.of())).isTrue();
        assertThat(budget.active()).isEqualTo(3);
        assertThat(metrics.scrape()).contains("jetway_pool_retries_refused_total{name=\"p\"} 1.0");
    }

    @Test
    void aBudgetOfNothingRefusesEveryRetryAndUnmanagedEndpointsHaveNoLimit() {
        RetryBudget budget = new RetryBudget(new OutlierMetrics(new GatewayMetrics(), "p"));
        assertThat(budget.tryAcquire(upstream("retryBudgetPercent: 0, minRetryConcurrency: 0"), List.of())).isFalse();
        for (int i = 0; i < 100; i++) {
            assertThat(RetryBudget.UNLIMITED.tryAcquire(upstream("minRetryConcurrency: 0"), List.of())).isTrue();
        }
    }
}
