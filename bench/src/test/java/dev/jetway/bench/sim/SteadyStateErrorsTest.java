package dev.jetway.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.scheduler.latency.LatencyModel;
import org.junit.jupiter.api.Test;

class SteadyStateErrorsTest {

    private static LatencyModel.Sample sample(LatencyModel.Kind kind, double seconds, double observed,
                                              double predicted) {
        return new LatencyModel.Sample("e", kind, new double[0], observed, predicted, (long) (seconds * 1e9));
    }

    @Test
    void countsOnlyObservationsBetweenTheWarmUpAndTheLastArrival() {
        SteadyStateErrors errors = new SteadyStateErrors();
        errors.accept(sample(LatencyModel.Kind.TTFT, 5, 1.0, 3.0));    // warm-up: left out
        errors.accept(sample(LatencyModel.Kind.TTFT, 30, 1.0, 1.1));   // 10%
        errors.accept(sample(LatencyModel.Kind.TTFT, 60, 2.0, 1.4));   // 30%
        errors.accept(sample(LatencyModel.Kind.TPOT, 50, 0.02, 0.021)); // 5%
        errors.accept(sample(LatencyModel.Kind.TPOT, 150, 0.02, 0.1)); // the drain: left out

        var steady = errors.report(100_000_000_000L);

        assertThat(steady.fromSeconds()).isEqualTo(20);
        assertThat(steady.toSeconds()).isEqualTo(100);
        assertThat(steady.ttftMape()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(steady.tpotMape()).isCloseTo(0.05, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(steady.e2eMape()).isNull();
        assertThat(steady.observations()).isEqualTo(3);
    }

    @Test
    void aRunWithNoObservationInItsWindowReportsNone() {
        var steady = new SteadyStateErrors().report(10_000_000_000L);
        assertThat(steady.ttftMape()).isNull();
        assertThat(steady.observations()).isZero();
    }
}
