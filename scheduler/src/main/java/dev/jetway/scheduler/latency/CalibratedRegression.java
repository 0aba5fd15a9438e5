package dev.jetway.scheduler.latency;

/**
 * The latency regression of an endpoint or a pool: {@link RecursiveLeastSquares} from a prior, fitting relative
 * error, whose prior is widened once its first responses show the engine is far from it ({@link PriorCalibration}).
 *
 * <p>Not thread-safe: the owner serialises {@link #learn}; {@link #coefficients()} is a fresh array per update and
 * may be published.
 */
final class CalibratedRegression {

    /** Responses faster than this are weighted as if they took this long (avoids the weight blowing up). */
    private static final double MIN_WEIGHTED_SECONDS = 5e-3;

    private final double lambda;
    private final PriorCalibration calibration;
    private PriorCalibration.Prior prior;
    private RecursiveLeastSquares regression;
    private double[] coefficients;

    CalibratedRegression(PriorCalibration.Prior prior, double lambda) {
        this.lambda = lambda;
        this.prior = prior;
        this.calibration = new PriorCalibration(prior);
        this.regression = prior.regression(lambda);
        this.coefficients = regression.coefficients();
    }

    /**
     * Learns from one observation {@code y ≈ θ·x}; returns the verdict when this observation completed a
     * calibration that widened the prior (the regression then started over and learned the held responses again),
     * otherwise null.
     */
    PriorCalibration.Widened learn(double[] x, double y) {
        update(x, y);
        if (!calibration.holding()) {
            return null;
        }
        PriorCalibration.Widened widened = calibration.add(x, y);
        if (widened != null) {
            prior = widened.prior();
            regression = prior.regression(lambda);
            coefficients = regression.coefficients();
            for (int i = 0; i < calibration.held(); i++) {
                update(calibration.heldX(i), calibration.heldY(i));
            }
        }
        return widened;
    }

    private void update(double[] x, double y) {
        regression.update(x, y, weight(coefficients, x, y));
        coefficients = regression.coefficients();
    }

    /** The published coefficients (non-negative); a fresh array after every update, never modify. */
    double[] coefficients() {
        return coefficients;
    }

    long samples() {
        return regression.samples();
    }

    /** The prior in force: the widened one once a calibration widened it. */
    PriorCalibration.Prior prior() {
        return prior;
    }

    /**
     * The weight of one observation: the inverse square of the larger of the observed and the currently predicted
     * value, so the fit minimises relative error where the two are close and no single observation can pull it by
     * more than its own size where they are not. With {@code 1/y²} alone, a response far faster than its features
     * say (an approximate prefix index that missed a hit the engine had: 14k "uncached" tokens answered in 30 ms)
     * weighs a thousand times a normal one and drives the prefill coefficient to zero for the next hundred.
     */
    static double weight(double[] coefficients, double[] x, double y) {
        double predicted = 0;
        for (int i = 0; i < x.length; i++) {
            predicted += coefficients[i] * x[i];
        }
        double scale = Math.max(MIN_WEIGHTED_SECONDS, Math.max(y, predicted));
        return 1.0 / (scale * scale);
    }
}
