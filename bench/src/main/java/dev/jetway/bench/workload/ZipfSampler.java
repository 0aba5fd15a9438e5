package dev.jetway.bench.workload;

import java.util.Arrays;

/**
 * Ranks 0..n-1 with probability proportional to {@code 1 / (rank + 1)^exponent}: document popularity where a few
 * documents are retrieved often and most rarely. Exponent 0 is uniform. Sampling is an inverse-CDF lookup of a
 * uniform draw, so it is exact and deterministic given the draw.
 */
final class ZipfSampler {

    private final double[] cdf;

    ZipfSampler(int n, double exponent) {
        if (n < 1) {
            throw new IllegalArgumentException("need at least one rank: " + n);
        }
        if (!(exponent >= 0) || Double.isInfinite(exponent)) {
            throw new IllegalArgumentException("zipf exponent must be >= 0: " + exponent);
        }
        cdf = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += Math.pow(k + 1, -exponent);
            cdf[k] = sum;
        }
        for (int k = 0; k < n; k++) {
            cdf[k] /= sum;
        }
        cdf[n - 1] = 1.0;
    }

    /** The rank for a uniform draw {@code u} in [0, 1). */
    int rank(double u) {
        int i = Arrays.binarySearch(cdf, u);
        int k = i >= 0 ? i + 1 : -i - 1; // the first rank whose cumulative share exceeds u
        return Math.min(k, cdf.length - 1);
    }

    /** Probability of {@code rank}. */
    double probability(int rank) {
        return rank == 0 ? cdf[0] : cdf[rank] - cdf[rank - 1];
    }
}
