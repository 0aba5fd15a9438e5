package dev.jetway.scheduler.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

/** The prior widened, or not, by the first responses of an engine. */
class PriorCalibrationTest {

    private static final PriorCalibration.Prior PRIOR = PriorCalibration.Prior.of(LatencyPrior.DEFAULT);

    /** TTFT features of a request with {@code uncachedKtok} thousand tokens to prefill on an idle endpoint. */
    private static double[] ttft(double uncachedKtok) {
        double[] x = new double[LatencyFeatures.TTFT_COUNT + LatencyFeatures.TPOT_COUNT];
        x[LatencyFeatures.TTFT_INTERCEPT] = 1;
        x[LatencyFeatures.TTFT_PREFILL] = uncachedKtok;
        return x;
    }

    /** TPOT features of an endpoint decoding alone. */
    private static double[] tpot() {
        double[] x = new double[LatencyFeatures.TTFT_COUNT + LatencyFeatures.TPOT_COUNT];
        x[LatencyFeatures.TTFT_COUNT + LatencyFeatures.TPOT_INTERCEPT] = 1;
        return x;
    }

    private static double prior(double[] x) {
        double y = 0;
        for (int i = 0; i < x.length; i++) {
            y += PRIOR.mean()[i] * x[i];
        }
        return y;
    }

    @Test
    void anEngineWithinAFactorOfThreeOfThePriorKeepsIt() {
        PriorCalibration c = new PriorCalibration(PRIOR);
        for (int i = 0; i < PriorCalibration.SAMPLES / 2; i++) {
            double[] x = ttft(0.5 + i);
            assertThat(c.add(x, 2.5 * prior(x))).isNull();
            assertThat(c.add(tpot(), 0.4 * prior(tpot()))).as("the last one judges").isNull();
        }
        assertThat(c.holding()).isFalse();
        assertThat(c.add(ttft(1), 100)).as("judged once").isNull();
    }

    @Test
    void anEngineFifteenTimesSlowerToPrefillGetsTheTtftPriorWidenedFifteenfold() {
        PriorCalibration c = new PriorCalibration(PRIOR);
        PriorCalibration.Widened widened = null;
        for (int i = 0; i < PriorCalibration.SAMPLES / 2; i++) {
            double[] x = ttft(1.6);
            assertThat(c.add(x, 15 * prior(x))).isNull();
            widened = c.add(tpot(), 0.5 * prior(tpot()));
        }
        assertThat(widened).isNotNull();
        assertThat(widened.ttftScale()).isCloseTo(15, offset(1e-9));
        assertThat(widened.tpotScale()).as("TPOT within the prior's width").isEqualTo(1);
        int p = LatencyFeatures.TTFT_PREFILL;
        assertThat(widened.prior().mean()[p]).as("the means stay").isEqualTo(PRIOR.mean()[p]);
        assertThat(widened.prior().variance()[p]).isCloseTo(225 * PRIOR.variance()[p], offset(1e-9));
        int t = LatencyFeatures.TTFT_COUNT + LatencyFeatures.TPOT_INTERCEPT;
        assertThat(widened.prior().variance()[t]).isEqualTo(PRIOR.variance()[t]);
    }

    @Test
    void wholeResponseTimesWidenBothPartsWhenNothingStreamed() {
        PriorCalibration c = new PriorCalibration(PRIOR);
        PriorCalibration.Widened widened = null;
        for (int i = 0; i < PriorCalibration.SAMPLES; i++) {
            double[] x = ttft(1);
            double[] t = tpot();
            for (int j = LatencyFeatures.TTFT_COUNT; j < x.length; j++) {
                x[j] = 99 * t[j]; // 100 output tokens
            }
            widened = c.add(x, 10 * prior(x));
        }
        assertThat(widened).isNotNull();
        assertThat(widened.ttftScale()).isCloseTo(10, offset(1e-9));
        assertThat(widened.tpotScale()).isCloseTo(10, offset(1e-9));
    }

    @Test
    void aFasterEngineKeepsThePrior() {
        // its short responses outweigh the prior already; a narrower prior would hold the coefficients too high
        PriorCalibration c = new PriorCalibration(PRIOR);
        PriorCalibration.Widened widened = null;
        for (int i = 0; i < PriorCalibration.SAMPLES / 2; i++) {
            double[] x = ttft(2);
            assertThat(c.add(x, 0.05 * prior(x))).isNull();
            widened = c.add(tpot(), 0.05 * prior(tpot()));
        }
        assertThat(widened).isNull();
        assertThat(c.holding()).isFalse();
    }
}
