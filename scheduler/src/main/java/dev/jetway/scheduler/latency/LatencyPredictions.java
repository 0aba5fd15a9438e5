package dev.jetway.scheduler.latency;

import dev.jetway.scheduler.spi.AttributeKey;
import dev.jetway.scheduler.spi.EndpointExplainer;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the {@code predicted-latency-producer} predicts for one request on each candidate endpoint (llm-d's
 * {@code LatencyPredictionInfo}), indexed by candidate slot: TTFT, TPOT, and the latency the request would add to
 * the requests already decoding there. Filters and scorers read it; the decision record shows it.
 *
 * <p>Headroom follows llm-d's convention: {@code objective × sloBufferFactor − predicted}, and with no objective
 * {@code −predicted} (always negative, still ordering endpoints by their predictions).
 */
public final class LatencyPredictions implements EndpointExplainer {

    /** Where the first (usually only) latency producer of a pipeline also writes its predictions. */
    public static final AttributeKey<LatencyPredictions> DEFAULT_KEY =
            AttributeKey.of("latency-predictions", LatencyPredictions.class);

    private static final ConcurrentHashMap<String, AttributeKey<LatencyPredictions>> KEYS = new ConcurrentHashMap<>();

    /** The key a named producer writes to. */
    public static AttributeKey<LatencyPredictions> keyFor(String producerName) {
        return KEYS.computeIfAbsent(producerName, n -> AttributeKey.of("latency-predictions:" + n,
                LatencyPredictions.class));
    }

    private final double[] ttft;
    private final double[] tpot;
    private final double[] prefill;
    private final double[] decodeStep;
    private final int[] contenders;
    private final double[] arrivals;
    /** Prompt tokens each candidate would prefill (not believed cached there); -1 when not recorded. */
    private final long[] uncached;
    private final SloTargets slo;
    private final double sloBufferFactor;
    private final double expectedOutputTokens;
    private final double sharedDecodeTokens;
    private double ttftError = Double.NaN;

    /**
     * @param slots                candidates of the request
     * @param slo                  the request's objectives
     * @param sloBufferFactor      objectives are multiplied by this before headroom is computed (llm-d's)
     * @param expectedOutputTokens output tokens the request is expected to generate
     * @param sharedDecodeTokens   of those, how many it is expected to decode alongside the requests running now
     */
    public LatencyPredictions(int slots, SloTargets slo, double sloBufferFactor, double expectedOutputTokens,
                              double sharedDecodeTokens) {
        this.ttft = new double[slots];
        this.tpot = new double[slots];
        this.prefill = new double[slots];
        this.decodeStep = new double[slots];
        this.contenders = new int[slots];
        this.arrivals = new double[slots];
        this.uncached = new long[slots];
        java.util.Arrays.fill(uncached, -1);
        this.slo = slo;
        this.sloBufferFactor = sloBufferFactor;
        this.expectedOutputTokens = expectedOutputTokens;
        this.sharedDecodeTokens = sharedDecodeTokens;
    }

    /**
     * Records the predictions for the candidate at {@code slot}.
     *
     * @param prefillSeconds    the request's own prefill time there
     * @param decodeStepSeconds what its decode adds to each step it shares with the others there
     * @param contenders        requests decoding there now or by the time it prefills
     * @param arrivalsPerSecond requests per second this gateway routes there (decayed)
     */
    public void set(int slot, double ttftSeconds, double tpotSeconds, double prefillSeconds, double decodeStepSeconds,
                    int contenders, double arrivalsPerSecond) {
        ttft[slot] = ttftSeconds;
        tpot[slot] = tpotSeconds;
        prefill[slot] = prefillSeconds;
        decodeStep[slot] = decodeStepSeconds;
        this.contenders[slot] = contenders;
        arrivals[slot] = arrivalsPerSecond;
    }

    /** Records the prompt tokens the request would prefill at {@code slot}: the work, as a count, not a prediction. */
    public void uncachedTokens(int slot, long tokens) {
        uncached[slot] = tokens;
    }

    /** The prompt tokens the request would prefill at {@code slot}, or -1 when not recorded. */
    public long uncachedTokens(int slot) {
        return uncached[slot];
    }

    /** The model's recent relative TTFT error (NaN when unknown), for telling predictions apart. */
    public double ttftError() {
        return ttftError;
    }

    /** Sets {@link #ttftError()}. */
    public void ttftError(double relativeError) {
        this.ttftError = relativeError;
    }

    /** Predicted time to first token on the candidate at {@code slot}, seconds. */
    public double ttft(int slot) {
        return ttft[slot];
    }

    /** Predicted time per output token, seconds. */
    public double tpot(int slot) {
        return tpot[slot];
    }

    /** Predicted end-to-end time: TTFT plus the expected output's remaining tokens at the predicted TPOT. */
    public double e2e(int slot) {
        return ttft[slot] + Math.max(0, expectedOutputTokens - 1) * tpot[slot];
    }

    /**
     * Seconds of latency this request would add to the other requests at {@code slot}, summed over them: its
     * prefill lengthens the steps of every contender, and its decode adds to the steps it shares with them.
     */
    public double harm(int slot) {
        return contenders[slot] * (prefill[slot] + sharedDecodeTokens * decodeStep[slot]);
    }

    /**
     * Seconds of TTFT the request's own prefill work would add to the requests that arrive at {@code slot} while
     * its queue drains: in a first-come-first-served queue every request behind new work waits for it. Those are
     * about {@code arrivals × wait} requests, where {@code wait} is the queueing part of its predicted TTFT. Near
     * zero on an idle endpoint; large on a backlogged one, where recomputing a prefix another endpoint holds
     * spends capacity everyone behind it pays for.
     */
    public double backlogHarm(int slot) {
        return prefill[slot] * arrivals[slot] * wait(slot);
    }

    /** The queueing part of the predicted TTFT: everything but the request's own prefill. */
    public double wait(int slot) {
        return Math.max(0, ttft[slot] - prefill[slot]);
    }


    /** Requests per second this gateway routes to {@code slot} (decayed). */
    public double arrivals(int slot) {
        return arrivals[slot];
    }

    /** The request's own prefill time at {@code slot}, seconds. */
    public double prefill(int slot) {
        return prefill[slot];
    }

    /** Requests decoding at {@code slot} now or by the time this request prefills there. */
    public int contenders(int slot) {
        return contenders[slot];
    }

    /** Output tokens the request is expected to generate. */
    public double expectedOutputTokens() {
        return expectedOutputTokens;
    }

    public SloTargets slo() {
        return slo;
    }

    /** Objective minus prediction (seconds); {@code −ttft} when the request has no TTFT objective. */
    public double ttftHeadroom(int slot) {
        return slo.ttftSeconds() > 0 ? slo.ttftSeconds() * sloBufferFactor - ttft[slot] : -ttft[slot];
    }

    /** Objective minus prediction (seconds); {@code −tpot} when the request has no TPOT objective. */
    public double tpotHeadroom(int slot) {
        return slo.tpotSeconds() > 0 ? slo.tpotSeconds() * sloBufferFactor - tpot[slot] : -tpot[slot];
    }

    /**
     * True when the candidate is predicted to miss the TTFT objective; a request with no objective at all misses
     * everywhere (llm-d's convention: headroom is then negative), one with only a TPOT objective never misses TTFT.
     */
    public boolean missesTtft(int slot) {
        return slo.any() ? slo.ttftSeconds() > 0 && ttftHeadroom(slot) < 0 : true;
    }

    /** As {@link #missesTtft}, for TPOT. */
    public boolean missesTpot(int slot) {
        return slo.any() ? slo.tpotSeconds() > 0 && tpotHeadroom(slot) < 0 : true;
    }

    /** True when the request has objectives and the candidate is predicted to meet all of them. */
    public boolean meetsSlo(int slot) {
        return slo.any() && !missesTtft(slot) && !missesTpot(slot);
    }

    @Override
    public void explain(int slot, StringBuilder out) {
        if (slot < 0 || slot >= ttft.length) {
            return;
        }
        out.append(String.format(Locale.ROOT, "pred{ttft=%.3fs,tpot=%.1fms,prefill=%.3fs,contenders=%d}", ttft[slot],
                tpot[slot] * 1e3, prefill[slot], contenders[slot]));
    }
}
