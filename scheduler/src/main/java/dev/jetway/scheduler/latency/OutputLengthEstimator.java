package dev.jetway.scheduler.latency;

/**
 * How many tokens a request will generate, learned from the responses: {@code max_tokens} is only a ceiling (chat
 * clients often send 4,096 and get a few hundred), so the estimate is {@code max_tokens} times the recent ratio of
 * generated to requested tokens, or, without {@code max_tokens}, the recent mean output. Exponentially weighted over
 * about the last {@value #HORIZON} responses (a plain mean of the first ones, so the prior is gone after a handful).
 * Thread-safe; reads take no lock.
 */
final class OutputLengthEstimator {

    static final int HORIZON = 100;

    /** Until responses say otherwise: half the ceiling, or 256 tokens (a typical chat answer). */
    private volatile double ratio = 0.5;
    private volatile double mean = 256;
    private long responses;
    private long limitedResponses;

    /** Expected output tokens of a request asking for {@code maxTokens} (≤ 0: no limit given). */
    double expected(int maxTokens) {
        if (maxTokens > 0) {
            return Math.max(1, Math.min(maxTokens, ratio * maxTokens));
        }
        return Math.max(1, mean);
    }

    /** Mean output of recent responses. */
    double mean() {
        return mean;
    }

    synchronized void observe(int maxTokens, int generated) {
        if (generated < 1) {
            return;
        }
        responses++;
        mean += (generated - mean) / Math.min(responses, HORIZON);
        if (maxTokens > 0) {
            limitedResponses++;
            ratio += (Math.min(1.0, (double) generated / maxTokens) - ratio) / Math.min(limitedResponses, HORIZON);
        }
    }
}
