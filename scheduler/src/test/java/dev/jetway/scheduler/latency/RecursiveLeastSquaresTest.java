package dev.jetway.scheduler.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RecursiveLeastSquaresTest {

    @Test
    void recoversTheCoefficientsOfANoisyLinearRelationFromAFarPrior() {
        RecursiveLeastSquares rls = new RecursiveLeastSquares(new double[] {1, 1, 1}, new double[] {4, 4, 4}, 0.999);
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 2000; i++) {
            double[] x = {1, rnd.nextDouble(0, 50), rnd.nextDouble(0, 10)};
            double y = (0.02 + 0.0625 * x[1] + 0.3 * x[2]) * (1 + 0.02 * rnd.nextGaussian());
            rls.update(x, y, 1 / (y * y));
        }
        double[] c = rls.coefficients();
        assertThat(c[0]).isCloseTo(0.02, offset(0.005));
        assertThat(c[1]).isCloseTo(0.0625, offset(0.002));
        assertThat(c[2]).isCloseTo(0.3, offset(0.01));
        assertThat(rls.samples()).isEqualTo(2000);
    }

    @Test
    void aFeatureThatNeverMovesKeepsItsPriorVarianceInsteadOfWindingUp() {
        RecursiveLeastSquares rls = new RecursiveLeastSquares(new double[] {0.1, 0.5}, new double[] {1, 1}, 0.99);
        for (int i = 0; i < 5000; i++) {
            rls.update(new double[] {1, 0}, 0.1, 1);
        }
        assertThat(rls.variance(1)).isLessThanOrEqualTo(1.0);
        // the first observation that moves it changes the coefficient by a bounded step, not a jump to infinity
        rls.update(new double[] {1, 1}, 0.7, 1);
        assertThat(rls.coefficients()[1]).isBetween(0.4, 0.7);
    }

    @Test
    void publishesNonNegativeCoefficientsWhileTheStateStaysUnconstrained() {
        RecursiveLeastSquares rls = new RecursiveLeastSquares(new double[] {0, 0}, new double[] {1, 1}, 1.0);
        for (int i = 0; i < 2000; i++) {
            double x1 = i % 10;
            rls.update(new double[] {1, x1}, 5 - 0.1 * x1, 1);
        }
        assertThat(rls.predict(new double[] {1, 9})).as("the state keeps the negative slope").isCloseTo(4.1, offset(0.01));
        assertThat(rls.coefficients()[1]).isZero();
        // the best fit without the negative slope: the mean of y
        assertThat(rls.coefficients()[0]).isCloseTo(4.55, offset(0.01));
    }

    @Test
    void correlatedFeaturesAreProjectedInTheInformationMetricNotClamped() {
        // y = 1 + 2·a − 0.5·b with b ≈ a: the best non-negative fit puts 1.5 on a (and 0 on b), not 2 (a clamp)
        RecursiveLeastSquares rls = new RecursiveLeastSquares(new double[] {0, 0, 0}, new double[] {100, 100, 100},
                1.0);
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < 3000; i++) {
            double a = rnd.nextDouble(0, 10);
            double b = a + rnd.nextDouble(-0.5, 0.5);
            rls.update(new double[] {1, a, b}, 1 + 2 * a - 0.5 * b, 1);
        }
        double[] c = rls.coefficients();
        assertThat(c[2]).isZero();
        assertThat(c[1]).isCloseTo(1.5, offset(0.05));
        assertThat(c[0]).isCloseTo(1.0, offset(0.1));
    }

    @Test
    void invertsASymmetricPositiveDefiniteMatrix() {
        double[] a = {4, 2, 0.6, 2, 5, 1, 0.6, 1, 3};
        double[] inv = RecursiveLeastSquares.inverse(a, 3);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double sum = 0;
                for (int m = 0; m < 3; m++) {
                    sum += a[i * 3 + m] * inv[m * 3 + j];
                }
                assertThat(sum).isCloseTo(i == j ? 1 : 0, offset(1e-12));
            }
        }
        assertThat(RecursiveLeastSquares.inverse(new double[] {1, 2, 2, 1}, 2)).isNull();
    }

    @Test
    void ignoresNonFiniteObservations() {
        RecursiveLeastSquares rls = new RecursiveLeastSquares(new double[] {1}, new double[] {1}, 0.999);
        rls.update(new double[] {1}, Double.NaN, 1);
        rls.update(new double[] {Double.POSITIVE_INFINITY}, 1, 1);
        rls.update(new double[] {1}, 1, 0);
        assertThat(rls.samples()).isZero();
        assertThat(rls.coefficients()).containsExactly(1.0);
    }
}
