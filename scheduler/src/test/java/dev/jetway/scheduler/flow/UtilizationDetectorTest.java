package dev.jetway.scheduler.flow;

import static dev.jetway.scheduler.flow.FlowFixtures.MS;
import static dev.jetway.scheduler.flow.FlowFixtures.S;
import static dev.jetway.scheduler.flow.FlowFixtures.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UtilizationDetectorTest {

    private static final long T0 = 100 * S;
    private final UtilizationDetector detector = FlowFixtures.utilization();

    @Test
    void freshMetricsScoreAsInLlmD() {
        // max(2/5, 0.4/0.8) = 0.5 and max(10/5, 0.2/0.8) = 2: the average
        List<Endpoint> pool = List.of(endpoint("a", 2, 0.4, T0), endpoint("b", 10, 0.2, T0));
        PoolLoad load = detector.measure(pool, T0 + 50 * MS);
        assertThat(load.saturation()).isCloseTo(1.25, within(1e-9));
        assertThat(load.perRequest()).isCloseTo(1.0 / 10, within(1e-12));
        assertThat(load.staleEndpoints()).isZero();
        assertThat(load.failedOpen()).isFalse();
        assertThat(load.with(3, 0)).isCloseTo(1.55, within(1e-9));
    }

    @Test
    void anEmptyPoolIsFull() {
        assertThat(detector.measure(List.of(), T0)).isEqualTo(PoolLoad.EMPTY);
        assertThat(PoolLoad.EMPTY.saturation()).isEqualTo(1.0);
    }

    @Test
    void requestsSentOrFinishedSinceTheScrapeMoveTheWaitingEstimate() {
        Endpoint e = endpoint("a", 1, 0.0, T0);
        List<Endpoint> pool = List.of(e);
        Fixtures.inFlight(e, 3, 0); // sent since the scrape
        assertThat(detector.measure(pool, T0).saturation()).isCloseTo(4 / 5.0, within(1e-9));
        Fixtures.inFlight(e, -5, 0); // and more finished than were sent: the queue drains, not below zero
        assertThat(detector.measure(pool, T0).saturation()).isZero();
    }

    @Test
    void aScrapeOfAnOldStepDoesNotHideWhatWasSentSinceThatStepBegan() {
        // 10 requests on the endpoint; its gauges are from the end of its last step, which began before 6 of them
        // arrived: 4 running, none waiting (the 6 sit in vLLM's input queue). The scrape arrives now, so "sent
        // since the scrape" is nothing; what the engine does not report running still waits.
        Endpoint e = new Endpoint("a", "a:8000", Map.of());
        Fixtures.inFlight(e, 10, 0);
        e.updateMetrics(dev.jetway.scheduler.EndpointMetrics.of(0, 4, 0.3, T0));
        assertThat(UtilizationDetector.waiting(e, e.metricsSample())).isEqualTo(6);
        assertThat(detector.measure(List.of(e), T0).saturation()).isCloseTo(6 / 5.0, within(1e-9));
        // the next step's gauges show them; both estimates agree again
        e.updateMetrics(dev.jetway.scheduler.EndpointMetrics.of(6, 4, 0.3, T0 + 300 * MS));
        assertThat(UtilizationDetector.waiting(e, e.metricsSample())).isEqualTo(6);
        // traffic that reaches the engine past this gateway still counts through the scraped queue
        e.updateMetrics(dev.jetway.scheduler.EndpointMetrics.of(9, 4, 0.3, T0 + 600 * MS));
        assertThat(UtilizationDetector.waiting(e, e.metricsSample())).isEqualTo(9);
    }

    @Test
    void aStaleEndpointIsEstimatedNotCountedSaturated() {
        Endpoint fresh = endpoint("fresh", 0, 0.0, T0);
        Endpoint stale = endpoint("stale", 1, 0.2, T0 - 5 * S);
        PoolLoad load = detector.measure(List.of(fresh, stale), T0);
        // llm-d: (0 + 1.0) / 2 = 0.5; Jetway: (0 + max(1/5, 0.2/0.8)) / 2
        assertThat(load.saturation()).isCloseTo(0.125, within(1e-9));
        assertThat(load.staleEndpoints()).isEqualTo(1);
        assertThat(load.failedOpen()).isFalse();
    }

    @Test
    void whenEveryEndpointIsStaleItFailsOpenOnTheInFlightEstimate() {
        // the last scrape caught a full KV cache; nothing can correct that reading now
        Endpoint a = endpoint("a", 0, 0.95, T0);
        Endpoint b = endpoint("b", 2, 0.95, T0);
        List<Endpoint> pool = List.of(a, b);
        assertThat(detector.measure(pool, T0).saturation()).isGreaterThan(1.0);
        long later = T0 + 1 * S;
        PoolLoad load = detector.measure(pool, later);
        assertThat(load.failedOpen()).isTrue();
        assertThat(load.staleEndpoints()).isEqualTo(2);
        assertThat(load.saturation()).isCloseTo((0 + 2 / 5.0) / 2, within(1e-9));
        Fixtures.inFlight(a, 5, 0); // what the gateway sends still counts
        assertThat(detector.measure(pool, later).saturation()).isCloseTo((1 + 2 / 5.0) / 2, within(1e-9));
    }

    @Test
    void anEndpointNeverScrapedCountsItsInFlightRequestsAsWaiting() {
        Endpoint scraped = endpoint("scraped", 0, 0.0, T0);
        Endpoint fresh = new Endpoint("new", "new:8000", Map.of());
        Fixtures.inFlight(fresh, 2, 0);
        PoolLoad load = detector.measure(List.of(scraped, fresh), T0);
        assertThat(load.saturation()).isCloseTo((0 + 2 / 5.0) / 2, within(1e-9));
        assertThat(load.staleEndpoints()).isEqualTo(1);
        // a pool nobody could scrape yet is open (failed open), not stalled
        PoolLoad none = detector.measure(List.of(fresh), T0);
        assertThat(none.failedOpen()).isTrue();
        assertThat(none.saturation()).isZero();
    }

    @Test
    void asAFilterItKeepsEndpointsBelowTheThresholdsWithHeadroom() {
        UtilizationDetector d = new UtilizationDetector("u",
                new UtilizationDetector.Params(5, 0.8, Duration.ofMillis(200), 0.2));
        Endpoint ok = endpoint("ok", 5, 0.5, T0); // 5 < 6
        Endpoint queued = endpoint("queued", 6, 0.5, T0);
        Endpoint full = endpoint("full", 0, 0.97, T0); // 0.97 > 0.96
        List<Endpoint> all = List.of(ok, queued, full);
        assertThat(filter(d, all)).containsExactly(ok);
        assertThat(filter(d, List.of(queued, full))).as("none fits: all kept").containsExactly(queued, full);
    }

    static List<Endpoint> filter(dev.jetway.scheduler.spi.Filter f, List<Endpoint> endpoints) {
        SchedulingContext ctx = new SchedulingContext(InferenceRequest.builder("r").build(), endpoints,
                SchedulerEnvironment.deterministic(() -> T0, 1));
        Candidates c = new Candidates(endpoints);
        f.filter(ctx, c);
        List<Endpoint> out = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            out.add(c.get(i));
        }
        return out;
    }
}
