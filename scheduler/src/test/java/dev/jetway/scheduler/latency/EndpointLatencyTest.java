package dev.jetway.scheduler.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

/** The prefill queue a gateway keeps per endpoint, and the prefill rate it measures from it. */
class EndpointLatencyTest {

    private static final long S = 1_000_000_000L;

    private static EndpointLatency endpoint(double priorRate) {
        return new EndpointLatency("e", new CalibratedRegression(PriorCalibration.Prior.of(LatencyPrior.DEFAULT), 0.999),
                10, priorRate);
    }

    @Test
    void queuedWorkIsEverythingSentMinusTheEstimatedProgressOfTheHead() {
        EndpointLatency e = endpoint(10_000);
        e.sent(8_000, 0);
        e.sent(4_000, 0);
        assertThat(e.queuedTokens(0)).isEqualTo(12_000);
        // half a second at 10k tok/s: 5k of the head's 8k done
        assertThat(e.queuedTokens(S / 2)).isCloseTo(7_000, offset(1e-6));
        // the head cannot be more than done: the second request is untouched until the head's first token
        assertThat(e.queuedTokens(10 * S)).isCloseTo(4_000, offset(1e-6));
    }

    @Test
    void theHeadsFirstTokenMeasuresThePrefillRateAndTheNextRequestLeads() {
        EndpointLatency e = endpoint(10_000);
        EndpointLatency.Pending a = e.sent(8_000, 0);
        e.sent(4_000, 0);
        e.prefilled(a, 2 * S); // 8k tokens in 2 s: 4k tok/s
        assertThat(e.prefillTokensPerSecond()).isCloseTo(4_000, offset(1e-6));
        assertThat(e.queuedTokens(2 * S)).isEqualTo(4_000);
        assertThat(e.queuedTokens(2 * S + S / 2)).isCloseTo(2_000, offset(1e-6));
    }

    @Test
    void abandonedRequestsLeaveTheQueueWithoutMeasuringAnything() {
        EndpointLatency e = endpoint(10_000);
        EndpointLatency.Pending a = e.sent(8_000, 0);
        EndpointLatency.Pending b = e.sent(4_000, 0);
        e.abandoned(b, S / 10);
        e.abandoned(a, S / 10);
        assertThat(e.queuedTokens(S)).isZero();
        assertThat(e.prefillTokensPerSecond()).isEqualTo(10_000);
        e.abandoned(a, S); // twice is harmless
        assertThat(e.queuedTokens(S)).isZero();
    }

    @Test
    void requestsNeverHeardOfAgainAreDroppedAfterTenMinutes() {
        EndpointLatency e = endpoint(10_000);
        e.sent(8_000, 0);
        e.sent(1_000, 601 * S);
        assertThat(e.queuedTokens(601 * S)).isEqualTo(1_000);
    }

    @Test
    void inflowIsADecayedRateOfRoutedTokens() {
        EndpointLatency e = endpoint(10_000);
        e.sent(10_000, 0);
        assertThat(e.inflowTokensPerSecond(0)).isCloseTo(1_000, offset(1e-6)); // tau 10 s
        assertThat(e.inflowTokensPerSecond(10 * S)).isCloseTo(1_000 / Math.E, offset(1e-6));
    }
}
