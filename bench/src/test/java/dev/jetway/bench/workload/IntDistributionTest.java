package dev.jetway.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IntDistributionTest {

    @Test
    void logNormalHasItsMedianAndSpreadAndStaysInBounds() {
        IntDistribution d = new IntDistribution.LogNormal(1000, 1.0, 50, 20_000);
        SplittableRandom rng = new SplittableRandom(1);
        int[] v = new int[20_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = d.sample(rng);
        }
        Arrays.sort(v);
        assertThat(v[0]).isGreaterThanOrEqualTo(50);
        assertThat(v[v.length - 1]).isLessThanOrEqualTo(20_000);
        assertThat(v[v.length / 2]).isBetween(950, 1050);
        // exp(1.2816 sigma): the 90th percentile is 3.6 x the median
        assertThat(v[(int) (v.length * 0.9)]).isBetween(3400, 3800);
        assertThat(d.mean()).isCloseTo(1000 * Math.exp(0.5), org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void logNormalRejectsBadParameters() {
        assertThatThrownBy(() -> new IntDistribution.LogNormal(0, 1, 1, 10)).hasMessageContaining("median");
        assertThatThrownBy(() -> new IntDistribution.LogNormal(5, -1, 1, 10)).hasMessageContaining("sigma");
        assertThatThrownBy(() -> new IntDistribution.LogNormal(5, 1, 10, 1)).hasMessageContaining("min");
    }
}
