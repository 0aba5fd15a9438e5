package dev.jetway.scheduler.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConcurrencyDetectorTest {

    private final Endpoint a = new Endpoint("a", "a:1", Map.of());
    private final Endpoint b = new Endpoint("b", "b:1", Map.of());

    private static ConcurrencyDetector detector(ConcurrencyDetector.Mode mode) {
        return new ConcurrencyDetector("c", new ConcurrencyDetector.Params(mode, 10, 1000, 0.5));
    }

    @Test
    void requestsModeIsInFlightOverCapacityWhateverTheScrapesSay() {
        Fixtures.inFlight(a, 6, 0, 100);
        Fixtures.inFlight(b, 2, 0, 900);
        PoolLoad load = detector(ConcurrencyDetector.Mode.REQUESTS).measure(List.of(a, b), 0);
        assertThat(load.saturation()).isCloseTo(8 / 20.0, within(1e-9));
        assertThat(load.perRequest()).isCloseTo(1 / 20.0, within(1e-12));
        assertThat(load.perToken()).isZero();
        assertThat(load.staleEndpoints()).isZero();
    }

    @Test
    void tokensModeCountsTheTokensRequestsHoldUntilTheyComplete() {
        Fixtures.inFlight(a, 6, 0, 100);
        Fixtures.inFlight(b, 2, 0, 900);
        PoolLoad load = detector(ConcurrencyDetector.Mode.TOKENS).measure(List.of(a, b), 0);
        assertThat(load.saturation()).isCloseTo(1000 / 2000.0, within(1e-9));
        assertThat(load.with(1, 500)).isCloseTo(0.75, within(1e-9));
    }

    @Test
    void hybridTakesEachEndpointsTighterRatio() {
        Fixtures.inFlight(a, 6, 0, 100); // 0.6 requests, 0.1 tokens
        Fixtures.inFlight(b, 2, 0, 900); // 0.2, 0.9
        PoolLoad load = detector(ConcurrencyDetector.Mode.HYBRID).measure(List.of(a, b), 0);
        assertThat(load.saturation()).isCloseTo((0.6 + 0.9) / 2, within(1e-9));
        // an in-transit request counts once: as a request or by its tokens, whichever weighs more
        assertThat(load.with(1, 10)).isCloseTo(0.75 + 1 / 20.0, within(1e-9));
    }

    @Test
    void asAFilterItKeepsEndpointsBelowTheLimitWithHeadroom() {
        Fixtures.inFlight(a, 14, 0, 0); // < 15
        Fixtures.inFlight(b, 15, 0, 0);
        assertThat(UtilizationDetectorTest.filter(detector(ConcurrencyDetector.Mode.REQUESTS), List.of(a, b)))
                .containsExactly(a);
    }
}
