package dev.jetway.scheduler.latency;

/**
 * The absolute percentage errors of the last {@value #WINDOW} predictions of one kind, as a ring: their mean is the
 * MAPE the model reports ({@code jetway_latency_prediction_error}). A window rather than a running mean, so the
 * number says how good the model is now, not how bad it was while it was learning. Thread-safe.
 */
final class PredictionErrors {

    static final int WINDOW = 256;

    private final double[] ring = new double[WINDOW];
    private int next;
    private int size;
    private double sum;
    private long total;

    synchronized void add(double predicted, double actual) {
        if (!(actual > 0) || !Double.isFinite(predicted)) {
            return;
        }
        double ape = Math.abs(predicted - actual) / actual;
        if (size == WINDOW) {
            sum -= ring[next];
        } else {
            size++;
        }
        ring[next] = ape;
        sum += ape;
        next = (next + 1) % WINDOW;
        total++;
    }

    /** Mean absolute percentage error over the window, as a fraction (0.05 = 5%); NaN before any observation. */
    synchronized double mape() {
        return size == 0 ? Double.NaN : Math.max(0, sum / size);
    }

    /** Observations in the window. */
    synchronized int windowSize() {
        return size;
    }

    /** Observations ever. */
    synchronized long total() {
        return total;
    }
}
