package dev.jetway.scheduler.plugins.scorer;

/** llm-d's min-max normalisation for "lower is better" counts: {@code (max - v) / (max - min)}, all equal → 1. */
final class MinMax {

    private MinMax() {
    }

    static void lowerIsBetter(double[] values, int n, double[] out) {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            min = Math.min(min, values[i]);
            max = Math.max(max, values[i]);
        }
        double range = max - min;
        for (int i = 0; i < n; i++) {
            out[i] = range <= 0 ? 1.0 : (max - values[i]) / range;
        }
    }
}
