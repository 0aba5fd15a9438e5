package dev.jetway.bench.workload;

import java.util.random.RandomGenerator;

/**
 * A length: a plain integer, or inference-perf's {@code {mean, std_dev, min, max}} (a normal distribution rounded
 * and clamped to [min, max]).
 */
public sealed interface IntDistribution {

    int sample(RandomGenerator rng);

    double mean();

    record Fixed(int value) implements IntDistribution {
        public Fixed {
            if (value < 0) {
                throw new IllegalArgumentException("length must be >= 0: " + value);
            }
        }

        @Override
        public int sample(RandomGenerator rng) {
            return value;
        }

        @Override
        public double mean() {
            return value;
        }
    }

    record Normal(double mean, double stdDev, int min, int max) implements IntDistribution {
        public Normal {
            if (stdDev < 0) {
                throw new IllegalArgumentException("std_dev must be >= 0: " + stdDev);
            }
            if (min < 0 || max < min) {
                throw new IllegalArgumentException("need 0 <= min <= max: min " + min + ", max " + max);
            }
        }

        @Override
        public int sample(RandomGenerator rng) {
            double v = stdDev == 0 ? mean : mean + stdDev * rng.nextGaussian();
            return (int) Math.max(min, Math.min(max, Math.round(v)));
        }
    }

    static IntDistribution of(int value) {
        return new Fixed(value);
    }
}
