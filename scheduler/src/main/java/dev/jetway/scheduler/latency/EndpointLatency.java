package dev.jetway.scheduler.latency;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * One endpoint's share of the latency model: its own regression (TTFT and TPOT coefficients, learned jointly), the
 * prefill queue this gateway has built there, the rate at which it sends prefill work, and the errors of its recent
 * predictions.
 *
 * <h2>The prefill queue</h2>
 * The engine prefills its waiting requests first come, first served. This gateway knows every request it sent and
 * which ones have produced a first token, so it keeps that queue: the uncached prompt tokens of each request still
 * without a first token, in send order. The work ahead of a new request is all of it, minus what the engine has
 * already done of the request at the head, estimated from the endpoint's measured prefill rate and capped at that
 * request's size. Only the head is estimated, so a wrong rate cannot make a piled-up endpoint look empty; and the
 * queue grows the moment a request is routed, long before any response shows the load.
 *
 * <p>The prefill rate is measured, not assumed: when the head request's first token arrives, its tokens over the
 * time it spent at the head is one sample (token-weighted, exponentially forgetting).
 *
 * <p>Readers (every scheduling cycle, many threads) take published values without locking; updates (one or two per
 * request) are serialised on this object.
 */
final class EndpointLatency {

    /** Requests at the head for less than this many tokens say little about the prefill rate. */
    private static final long MIN_RATE_SAMPLE_TOKENS = 512;
    /** Weight of a new rate sample. */
    private static final double RATE_ALPHA = 0.05;
    /** A request without a first token for this long is presumed lost (hooks not called) and dropped. */
    private static final long PENDING_TTL_NANOS = 600_000_000_000L;

    final String endpointId;
    private final CalibratedRegression regression;
    private volatile double[] coefficients;
    private volatile long samples;

    private final double inflowTauNanos;
    /** Decayed inflow in tokens per second as of {@link #inflowAtNanos}; written under the lock. */
    private volatile double inflowTokensPerSecond;
    /** Decayed requests per second routed here, as of {@link #inflowAtNanos}. */
    private volatile double arrivalsPerSecond;
    private volatile long inflowAtNanos = Long.MIN_VALUE;

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private volatile long pendingTokens;
    private volatile int pendingRequests;
    private volatile long headTokens;
    private volatile long headSinceNanos;
    /** Token-weighted rate: decayed sums of tokens and seconds of head-of-queue prefills. */
    private double rateTokens;
    private double rateSeconds;
    private volatile double prefillTokensPerSecond;

    final PredictionErrors ttftErrors = new PredictionErrors();
    final PredictionErrors tpotErrors = new PredictionErrors();
    final PredictionErrors e2eErrors = new PredictionErrors();

    /** One request in the prefill queue. */
    static final class Pending {
        final long tokens;
        final long sentNanos;

        Pending(long tokens, long sentNanos) {
            this.tokens = tokens;
            this.sentNanos = sentNanos;
        }
    }

    EndpointLatency(String endpointId, CalibratedRegression start, double inflowTauSeconds,
                    double priorPrefillTokensPerSecond) {
        this.endpointId = endpointId;
        this.regression = start;
        this.coefficients = start.coefficients();
        this.inflowTauNanos = inflowTauSeconds * 1e9;
        this.prefillTokensPerSecond = priorPrefillTokensPerSecond;
    }

    /** The published coefficients (TTFT's, then TPOT's); never modify. */
    double[] coefficients() {
        return coefficients;
    }

    /** Observations this endpoint's own regression has learned from. */
    long samples() {
        return samples;
    }

    /** Learns from one observation; returns the widening of its prior if this one triggered it, else null. */
    synchronized PriorCalibration.Widened learn(double[] x, double y) {
        PriorCalibration.Widened widened = regression.learn(x, y);
        samples = regression.samples();
        coefficients = regression.coefficients();
        return widened;
    }

    /** Prefill tokens per second routed here, decayed to {@code nowNanos}. */
    double inflowTokensPerSecond(long nowNanos) {
        long at = inflowAtNanos;
        if (at == Long.MIN_VALUE) {
            return 0;
        }
        double rate = inflowTokensPerSecond;
        long dt = nowNanos - at;
        return dt <= 0 ? rate : rate * Math.exp(-dt / inflowTauNanos);
    }

    /** Requests per second routed here, decayed to {@code nowNanos} (same time constant as the token inflow). */
    double arrivalsPerSecond(long nowNanos) {
        long at = inflowAtNanos;
        if (at == Long.MIN_VALUE) {
            return 0;
        }
        long dt = nowNanos - at;
        return dt <= 0 ? arrivalsPerSecond : arrivalsPerSecond * Math.exp(-dt / inflowTauNanos);
    }

    /** The measured prefill rate, tokens per second. */
    double prefillTokensPerSecond() {
        return prefillTokensPerSecond;
    }

    /** Prefill tokens of the requests in the queue. */
    long pendingTokens() {
        return pendingTokens;
    }

    /** Requests in the queue. */
    int pendingRequests() {
        return pendingRequests;
    }

    /** Prefill tokens ahead of a request sent now: the queue, less the estimated progress of its head. */
    double queuedTokens(long nowNanos) {
        long total = pendingTokens;
        if (total == 0) {
            return 0;
        }
        double done = prefillTokensPerSecond * Math.max(0, nowNanos - headSinceNanos) / 1e9;
        return total - Math.min(headTokens, done);
    }

    /** A request with {@code tokens} uncached prompt tokens is sent here now; returns its queue entry. */
    synchronized Pending sent(long tokens, long nowNanos) {
        double rate = inflowTokensPerSecond(nowNanos);
        double arrivals = arrivalsPerSecond(nowNanos);
        inflowTokensPerSecond = rate + tokens / (inflowTauNanos / 1e9);
        arrivalsPerSecond = arrivals + 1 / (inflowTauNanos / 1e9);
        inflowAtNanos = nowNanos;
        dropLost(nowNanos);
        Pending p = new Pending(tokens, nowNanos);
        pending.addLast(p);
        pendingTokens += tokens;
        pendingRequests = pending.size();
        if (pending.size() == 1) {
            headTokens = tokens;
            headSinceNanos = nowNanos;
        }
        return p;
    }

    /** {@code p}'s first token came back at {@code nowNanos}: it leaves the queue, measuring the rate if it led. */
    synchronized void prefilled(Pending p, long nowNanos) {
        boolean wasHead = pending.peekFirst() == p;
        if (wasHead) {
            double seconds = (nowNanos - headSinceNanos) / 1e9;
            if (p.tokens >= MIN_RATE_SAMPLE_TOKENS && seconds > 0) {
                rateTokens = rateTokens * (1 - RATE_ALPHA) + p.tokens;
                rateSeconds = rateSeconds * (1 - RATE_ALPHA) + seconds;
                prefillTokensPerSecond = rateTokens / rateSeconds;
            }
        }
        remove(p, nowNanos);
    }

    /** {@code p} will never produce a first token here (failed, aborted, retried elsewhere). */
    synchronized void abandoned(Pending p, long nowNanos) {
        remove(p, nowNanos);
    }

    private void remove(Pending p, long nowNanos) {
        boolean wasHead = pending.peekFirst() == p;
        if (!pending.remove(p)) {
            return;
        }
        pendingTokens -= p.tokens;
        pendingRequests = pending.size();
        if (wasHead) {
            Pending next = pending.peekFirst();
            headTokens = next == null ? 0 : next.tokens;
            headSinceNanos = nowNanos;
        }
    }

    private void dropLost(long nowNanos) {
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (nowNanos - p.sentNanos <= PENDING_TTL_NANOS) {
                break;
            }
            remove(p, nowNanos);
            it = pending.iterator();
        }
    }
}
