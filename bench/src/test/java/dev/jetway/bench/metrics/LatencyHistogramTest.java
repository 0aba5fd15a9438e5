package dev.jetway.bench.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void runsOfEqualValuesGiveExactlyTheHistogramOfSingleRecords() {
        LatencyHistogram runs = new LatencyHistogram();
        Histogram plain = new Histogram(1, 10_000_000_000L, 3);
        // Runs of one value (a decode step's tokens), interleaved with other values and chunked counts.
        long[] micros = {25_000, 25_000, 25_000, 31_000, 31_000, 25_000, 90_000, 90_000, 1, 25_000};
        long[] counts = {1, 1, 3, 2, 1, 1, 1, 4, 1, 2};
        for (int i = 0; i < micros.length; i++) {
            runs.recordNanos(micros[i] * 1000, counts[i]);
            plain.recordValueWithCount(micros[i], counts[i]);
        }
        assertThat(runs.count()).isEqualTo(17);
        for (double p : new double[] {0, 10, 50, 75, 90, 99, 100}) {
            assertThat(runs.percentile(p)).isEqualTo(plain.getValueAtPercentile(p) / 1e6);
        }
        assertThat(runs.mean()).isEqualTo(plain.getMean() / 1e6);
        // A pending run is part of what add() copies.
        LatencyHistogram total = new LatencyHistogram();
        total.recordNanos(25_000_000, 1);
        total.add(runs);
        assertThat(total.count()).isEqualTo(18);
        assertThat(total.max()).isEqualTo(plain.getMaxValue() / 1e6);
    }
}
