package dev.jetway.scheduler.latency;

/**
 * The first responses of a regression, held until they show how far the engine is from the prior; if far, the
 * regression starts over from the prior widened to the engine's scale and learns those responses again.
 *
 * <h2>Why</h2>
 * The regression weights each observation by {@code 1/y²} (it fits relative error), while the prior's variances are
 * absolute: (twice the prior mean)², which is also the cap on the variance ({@link RecursiveLeastSquares}). On an
 * engine like the prior's, one response outweighs the prior several times. On an engine {@code r} times slower the
 * responses are {@code r} times longer, so each one weighs {@code r²} times less against the same prior: a CPU
 * llama.cpp replica 15× slower than the H100 prior still predicted a cold 1,600-token prefill at half its time after
 * 200 responses (it learned the intercept instead). Widening the prior by the observed ratio puts the engine back in
 * the regime the prior's width was meant for: the data takes over within tens of responses. Only the width moves,
 * not the means: a ratio from eight responses also carries what their features do not explain (the first
 * responses of a burst wait behind each other: 25-36× the prior's TTFT for three identical simulated A100s), and
 * moving the means by it carried that noise into the endpoints' later predictions (in the chaos test a restarted
 * replica then got no request for a minute); a wide prior lets the data put them where it shows.
 *
 * <h2>How</h2>
 * Each held response is compared with what the prior mean predicts for its features. TTFT responses measure the TTFT
 * coefficients' scale, TPOT responses the TPOT coefficients'; a non-streamed response (its whole time) measures both
 * together and counts for a part only while that part has no response of its own. The scale of a part is the geometric
 * mean of its ratios. A part whose scale is above {@code SPREAD} gets its variances (and so their cap) multiplied by
 * the scale's square; below it, the prior's own width (one standard deviation = twice the mean) already covers the
 * engine, and a faster engine's responses outweigh the prior by themselves. Judged once, after {@link #SAMPLES}
 * responses; an engine that changes later is the forgetting window's business.
 */
final class PriorCalibration {

    /** Responses held before judging: a handful, so that routing is off for seconds, not minutes. */
    static final int SAMPLES = 8;
    /**
     * The prior's mean plus one standard deviation is three times the mean: an engine within a factor of three of
     * the prior is one the prior already allows for.
     */
    static final double SPREAD = 3;

    /** The prior a regression starts from: coefficients and their variances (also the variance cap). */
    record Prior(double[] mean, double[] variance) {

        static Prior of(LatencyPrior prior) {
            return new Prior(prior.mean(), prior.variance());
        }

        /**
         * This prior with the TTFT coefficients' standard deviations widened by {@code ttft} and the TPOT ones' by
         * {@code tpot}; the means stay.
         */
        Prior widened(double ttft, double tpot) {
            double[] v = variance.clone();
            for (int i = 0; i < v.length; i++) {
                double s = i < LatencyFeatures.TTFT_COUNT ? ttft : tpot;
                v[i] *= s * s;
            }
            return new Prior(mean, v);
        }

        RecursiveLeastSquares regression(double lambda) {
            return new RecursiveLeastSquares(mean, variance, lambda);
        }
    }

    /** The verdict: the prior to start over from, and the scales found (1 for a part left as it was). */
    record Widened(Prior prior, double ttftScale, double tpotScale) {
    }

    private final Prior prior;
    private final double[][] xs = new double[SAMPLES][];
    private final double[] ys = new double[SAMPLES];
    private int held;
    private boolean judged;

    PriorCalibration(Prior prior) {
        this.prior = prior;
    }

    Prior prior() {
        return prior;
    }

    /** Whether responses are still being held (the verdict is not in yet). */
    boolean holding() {
        return !judged;
    }

    /**
     * Holds one response ({@code x} is copied); after the {@link #SAMPLES}-th, judges. Returns the widened prior when
     * the regression should start over from it (then replay {@link #heldX}/{@link #heldY}), otherwise null.
     */
    Widened add(double[] x, double y) {
        if (judged || !(y > 0) || !Double.isFinite(y)) {
            return null;
        }
        xs[held] = x.clone();
        ys[held] = y;
        held++;
        if (held < SAMPLES) {
            return null;
        }
        judged = true;
        double ttft = scale(true);
        double tpot = scale(false);
        double t = outside(ttft) ? ttft : 1;
        double p = outside(tpot) ? tpot : 1;
        return t == 1 && p == 1 ? null : new Widened(prior.widened(t, p), t, p);
    }

    int held() {
        return held;
    }

    double[] heldX(int i) {
        return xs[i];
    }

    double heldY(int i) {
        return ys[i];
    }

    /**
     * Only a slower engine needs a wider prior: a faster one's short responses already outweigh it, and narrowing it
     * around means the data says are too large would hold the coefficients there.
     */
    private static boolean outside(double scale) {
        return scale > SPREAD;
    }

    /** The geometric mean of observed over prior-predicted, for one part (1 when nothing measured it). */
    private double scale(boolean ttftPart) {
        double own = 0;
        int ownCount = 0;
        double joint = 0;
        int jointCount = 0;
        for (int s = 0; s < held; s++) {
            double ttft = 0;
            double tpot = 0;
            for (int i = 0; i < xs[s].length; i++) {
                double term = prior.mean()[i] * xs[s][i];
                if (i < LatencyFeatures.TTFT_COUNT) {
                    ttft += term;
                } else {
                    tpot += term;
                }
            }
            boolean hasTtft = ttft > 0;
            boolean hasTpot = tpot > 0;
            if (hasTtft && hasTpot) {
                joint += Math.log(ys[s] / (ttft + tpot));
                jointCount++;
            } else if (ttftPart && hasTtft) {
                own += Math.log(ys[s] / ttft);
                ownCount++;
            } else if (!ttftPart && hasTpot) {
                own += Math.log(ys[s] / tpot);
                ownCount++;
            }
        }
        if (ownCount > 0) {
            return Math.exp(own / ownCount);
        }
        return jointCount > 0 ? Math.exp(joint / jointCount) : 1;
    }
}
