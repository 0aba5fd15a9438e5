package dev.jetway.scheduler.latency;

/**
 * Where the latency model starts before it has seen a response: two numbers a user can read off any engine
 * benchmark, turned into coefficients of {@link LatencyFeatures} with wide variances so that a few dozen observations
 * outweigh them.
 *
 * <p>The defaults are Qwen3-32B on 2× H100 (TP=2) under vLLM: prefill 15,928 tokens/s is llm-d's calibrated
 * {@code peakPrefillThroughput}, and a decode step of 20 ms is the inter-token latency llm-d's 57× report shows at
 * its lightest load (docs/simulator.md). A very different model or GPU only changes how many responses it takes to
 * converge, not where it converges.
 *
 * @param prefillTokensPerSecond prompt tokens one endpoint prefills per second at full batch
 * @param decodeStepSeconds      one decode step (inter-token latency) of a lightly loaded endpoint
 */
public record LatencyPrior(double prefillTokensPerSecond, double decodeStepSeconds) {

    public static final LatencyPrior DEFAULT = new LatencyPrior(15_928, 0.020);

    /** vLLM's default per-step token budget ({@code --max-num-batched-tokens}), for the interaction term. */
    private static final double STEP_BUDGET_KTOK = 8.192;

    public LatencyPrior {
        if (!(prefillTokensPerSecond > 0) || !(decodeStepSeconds > 0)) {
            throw new IllegalArgumentException("prior prefill throughput and decode step must be > 0");
        }
    }

    /** Prior coefficients of the TTFT and TPOT features, one joint vector: TTFT's first, then TPOT's. */
    double[] mean() {
        double perKtok = 1e3 / prefillTokensPerSecond;
        double[] m = new double[LatencyFeatures.TTFT_COUNT + LatencyFeatures.TPOT_COUNT];
        m[LatencyFeatures.TTFT_INTERCEPT] = decodeStepSeconds;
        m[LatencyFeatures.TTFT_PREFILL] = perKtok;
        m[LatencyFeatures.TTFT_CACHED] = 0;
        m[LatencyFeatures.TTFT_ATTENTION] = 1.0;
        m[LatencyFeatures.TTFT_KV] = decodeStepSeconds / 40;
        m[LatencyFeatures.TTFT_DECODING] = decodeStepSeconds / 2;
        // Decoding requests take one token each of every step's budget: (W + U)·a·D/B, with D in hundreds.
        m[LatencyFeatures.TTFT_DECODING_X_PREFILL] = perKtok * 0.1 / STEP_BUDGET_KTOK;
        m[LatencyFeatures.TTFT_KV_OVERFLOW] = perKtok;
        int t = LatencyFeatures.TTFT_COUNT;
        m[t + LatencyFeatures.TPOT_INTERCEPT] = decodeStepSeconds;
        m[t + LatencyFeatures.TPOT_BATCH] = decodeStepSeconds / 4;
        m[t + LatencyFeatures.TPOT_KV] = decodeStepSeconds / 40;
        // Steps that carry a prefill chunk last about as long as prefilling a full budget: a fraction of steps
        // proportional to the prefill inflow.
        m[t + LatencyFeatures.TPOT_INFLOW] = decodeStepSeconds * perKtok;
        return m;
    }

    /** Prior variances: wide (twice the mean, with floors), so the data takes over within tens of responses. */
    double[] variance() {
        double[] mean = mean();
        double[] floor = new double[mean.length];
        floor[LatencyFeatures.TTFT_INTERCEPT] = 0.05;
        floor[LatencyFeatures.TTFT_PREFILL] = 0.1;
        floor[LatencyFeatures.TTFT_CACHED] = 0.05;
        floor[LatencyFeatures.TTFT_ATTENTION] = 2;
        floor[LatencyFeatures.TTFT_KV] = 0.005;
        floor[LatencyFeatures.TTFT_DECODING] = 0.05;
        floor[LatencyFeatures.TTFT_DECODING_X_PREFILL] = 0.01;
        floor[LatencyFeatures.TTFT_KV_OVERFLOW] = 0.2;
        int t = LatencyFeatures.TTFT_COUNT;
        floor[t + LatencyFeatures.TPOT_INTERCEPT] = 0.05;
        floor[t + LatencyFeatures.TPOT_BATCH] = 0.02;
        floor[t + LatencyFeatures.TPOT_KV] = 0.005;
        floor[t + LatencyFeatures.TPOT_INFLOW] = 0.01;
        double[] v = new double[mean.length];
        for (int i = 0; i < v.length; i++) {
            double sd = Math.max(2 * mean[i], floor[i]);
            v[i] = sd * sd;
        }
        return v;
    }
}
