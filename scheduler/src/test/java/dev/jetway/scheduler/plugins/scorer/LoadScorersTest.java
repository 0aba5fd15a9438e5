package dev.jetway.scheduler.plugins.scorer;

import static dev.jetway.scheduler.Fixtures.context;
import static dev.jetway.scheduler.Fixtures.endpoint;
import static dev.jetway.scheduler.Fixtures.inFlight;
import static dev.jetway.scheduler.Fixtures.score;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jetway.scheduler.Endpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The metric-driven scorers: queue, running requests, KV utilization, load-aware, active requests, token load. */
class LoadScorersTest {

    private final Endpoint a = endpoint("a", 0, 10, 0.25);
    private final Endpoint b = endpoint("b", 5, 0, 0.75);
    private final Endpoint c = endpoint("c", 10, 5, 1.0);
    private final List<Endpoint> eps = List.of(a, b, c);

    @Test
    void queueScorerIsMinMaxOnWaiting() {
        assertThat(score(new QueueScorer("q"), context(eps))).containsExactly(1.0, 0.5, 0.0);
    }

    @Test
    void equalQueuesAllScoreOne() {
        var same = List.of(endpoint("x", 3, 0, 0), endpoint("y", 3, 0, 0));
        assertThat(score(new QueueScorer("q"), context(same))).containsExactly(1.0, 1.0);
    }

    @Test
    void runningRequestsSizeScorerIsMinMaxOnRunning() {
        assertThat(score(new RunningRequestsSizeScorer("r"), context(eps))).containsExactly(0.0, 1.0, 0.5);
    }

    @Test
    void kvCacheUtilizationScorerIsFreeFraction() {
        assertThat(score(new KvCacheUtilizationScorer("kv"), context(eps))).containsExactly(0.75, 0.25, 0.0);
    }

    @Test
    void loadAwareScorerTopsOutAtHalf() {
        double[] s = score(new LoadAwareScorer("l", 10), context(eps));
        assertThat(s[0]).isEqualTo(0.5);
        assertThat(s[1]).isCloseTo(0.25, within(1e-9));
        assertThat(s[2]).isZero();
    }

    @Test
    void activeRequestScorerFavoursIdleThenLessBusy() {
        inFlight(b, 2, 0);
        inFlight(c, 4, 0);
        try {
            assertThat(score(new ActiveRequestScorer("ar", 0, 1.0), context(eps))).containsExactly(1.0, 0.5, 0.0);
        } finally {
            inFlight(b, -2, 0);
            inFlight(c, -4, 0);
        }
    }

    @Test
    void tokenLoadScorerSaturatesAtTheThreshold() {
        inFlight(b, 1, 500);
        inFlight(c, 1, 5000);
        try {
            assertThat(score(new TokenLoadScorer("t", 1000), context(eps))).containsExactly(1.0, 0.5, 0.0);
        } finally {
            inFlight(b, -1, -500);
            inFlight(c, -1, -5000);
        }
    }
}
