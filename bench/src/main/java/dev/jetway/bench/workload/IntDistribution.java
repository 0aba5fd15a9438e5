package dev.jetway.bench.workload;

import java.util.random.RandomGenerator;

/**
 * A length: a plain integer, inference-perf's {@code {mean, std_dev, min, max}} (a normal distribution rounded and
 * clamped to [min, max]), or {@code {type: lognormal, median, sigma, min, max}}: measured token counts (documents,
 * pasted text, think times) are skewed with a long right tail, which a normal cannot express.
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

    /**
     * {@code exp(N(ln median, sigma))}, rounded and clamped to [min, max] like {@link Normal}.
     *
     * @param sigma standard deviation of the logarithm
     */
    record LogNormal(double median, double sigma, int min, int max) implements IntDistribution {
        public LogNormal {
            if (!(median > 0) || Double.isInfinite(median)) {
                throw new IllegalArgumentException("median must be > 0: " + median);
            }
            if (!(sigma >= 0) || Double.isInfinite(sigma)) {
                throw new IllegalArgumentException("sigma must be >= 0: " + sigma);
            }
            if (min < 0 || max < min) {
                throw new IllegalArgumentException("need 0 <= min <= max: min " + min + ", max " + max);
            }
        }

        @Override
        public int sample(RandomGenerator rng) {
            double v = median * Math.exp(sigma * rng.nextGaussian());
            return (int) Math.max(min, Math.min(max, Math.round(v)));
        }

        /** The mean before clamping: {@code median * exp(sigma^2 / 2)}. */
        @Override
        public double mean() {
            return median * Math.exp(sigma * sigma / 2);
        }
    }

    static IntDistribution of(int value) {
        return new Fixed(value);
    }
}
