package dev.jetway.scheduler.latency;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.EndpointMetrics;

/**
 * The features the latency model predicts from, computed from what the gateway knows at decision time. Their shape
 * follows how a vLLM-style engine (continuous batching, chunked prefill, FCFS waiting queue) spends time, so that a
 * linear model with a handful of coefficients per endpoint can fit them:
 *
 * <pre>
 * TTFT ≈ t0 + a·(queued + U) + c·M + d·U(M + U/2) + k·kvTokens + e·D + f·D·(queued + U) + g·overflow
 * TPOT ≈ s0 + s1·(D + 1) + s2·kvTokens + s3·inflow
 * </pre>
 *
 * <ul>
 *   <li>{@code queued}: the prefill work ahead of the request in the engine's FCFS queue, in thousands of tokens:
 *       the uncached prompt tokens this gateway sent there, drained at the endpoint's learned prefill rate since,
 *       and never more than what has no first token yet ({@code EndpointLatency}'s backlog). It shares one
 *       coefficient with {@code U}: one prefill rate.</li>
 *   <li>{@code U}, {@code M}: the request's own uncached and believed-cached prompt tokens (prefix match of the
 *       pipeline's producer), in thousands. {@code M} has its own coefficient: cached tokens cost attention, and
 *       when the prefix index is optimistic (an approximate index whose blocks the engine evicted) the model learns
 *       how much of a "hit" still has to be computed.</li>
 *   <li>{@code U(M + U/2)}: attention (query, key) pairs of the own prefill (causal), in billions.</li>
 *   <li>{@code kvTokens}: KV in use (scraped usage × capacity), in tens of thousands: every step reads it, so it
 *       sets the step time of a memory-bound (decode-heavy) batch, which is most of a short prefill's TTFT and of
 *       every TPOT.</li>
 *   <li>{@code D}: requests decoding there (scraped {@code running}, or this gateway's own count when the scrape is
 *       stale or lower), in hundreds; each takes one token of every step's budget.</li>
 *   <li>{@code overflow}: KV tokens the queue and the request need beyond the endpoint's capacity, in thousands:
 *       the engine holds such a request back (or preempts) until running ones finish.</li>
 *   <li>{@code inflow}: uncached prompt tokens routed to the endpoint per second, decayed (thousands/s): the prefill
 *       chunks that will interleave with this request's decode steps.</li>
 * </ul>
 *
 * The units keep coefficients near 0.001–1 s, which keeps the regression well conditioned.
 */
public final class LatencyFeatures {

    /** TTFT features. */
    public static final int TTFT_INTERCEPT = 0;
    public static final int TTFT_PREFILL = 1;
    public static final int TTFT_CACHED = 2;
    public static final int TTFT_ATTENTION = 3;
    public static final int TTFT_KV = 4;
    public static final int TTFT_DECODING = 5;
    public static final int TTFT_DECODING_X_PREFILL = 6;
    public static final int TTFT_KV_OVERFLOW = 7;
    public static final int TTFT_COUNT = 8;

    /** TPOT features. */
    public static final int TPOT_INTERCEPT = 0;
    public static final int TPOT_BATCH = 1;
    public static final int TPOT_KV = 2;
    public static final int TPOT_INFLOW = 3;
    public static final int TPOT_COUNT = 4;

    /** Names for explanations and docs, in feature order. */
    static final String[] TTFT_NAMES = {"intercept", "prefill_ahead_ktok", "cached_ktok", "attention_gpairs",
        "kv_10ktok", "decoding_x100", "decoding_x_prefill", "kv_overflow_ktok"};
    static final String[] TPOT_NAMES = {"intercept", "batch_x100", "kv_10ktok", "inflow_ktok_per_s"};

    private LatencyFeatures() {
    }

    /**
     * What the model reads about one endpoint, resolved once per candidate (scrape or own counters). Mutable and
     * reused across the candidates of one request, so a prediction allocates nothing.
     */
    public static final class Load {
        /** Prefill tokens believed ahead of a new request there. */
        double queuedTokens;
        /** Requests ahead of a new request in the prefill queue: decoding by the time it prefills. */
        int queuedRequests;
        /** Requests decoding (or prefilling) there. */
        int decoding;
        /** KV tokens in use, or 0 when unknown. */
        double kvUsedTokens;
        /** KV capacity in tokens, or 0 when unknown. */
        double kvCapacity;
        /** Decayed uncached prompt tokens routed there per second. */
        double inflowTokensPerSecond;
        /** Decayed requests routed there per second. */
        double arrivalsPerSecond;
    }

    /**
     * Resolves an endpoint's load into {@code out}: scraped values when fresh (at most {@code stalenessNanos} old),
     * never below what this gateway itself knows is in flight there; the gateway's own counters alone when the
     * scrape is stale, so stale metrics degrade predictions to what in-flight counting knows instead of freezing
     * them.
     *
     * @param queuedTokens the prefill work believed ahead of a new request there (the model's backlog estimate)
     */
    static void load(Endpoint e, long nowNanos, long stalenessNanos, double inflowTokensPerSecond, double queuedTokens,
                     int queuedRequests, Load out) {
        EndpointMetrics m = e.metrics();
        int decoding = Math.max(0, e.inFlightRequests() - e.inFlightPrefills());
        double capacity = (double) m.cacheNumBlocks() * m.cacheBlockSize();
        double kvUsed;
        if (!m.isStale(nowNanos, stalenessNanos)) {
            decoding = Math.max(decoding, m.runningRequests());
            kvUsed = m.kvCacheUsage() * capacity;
        } else {
            kvUsed = capacity > 0 ? Math.min(capacity, e.inFlightContextTokens()) : e.inFlightContextTokens();
        }
        out.queuedTokens = queuedTokens;
        out.queuedRequests = queuedRequests;
        out.decoding = decoding;
        out.kvUsedTokens = kvUsed;
        out.kvCapacity = capacity;
        out.inflowTokensPerSecond = inflowTokensPerSecond;
    }

    /** Fills {@code x[0..TTFT_COUNT)} for a request with {@code uncached} and {@code cached} prompt tokens. */
    static void ttft(Load load, long uncached, long cached, double[] x) {
        double queued = load.queuedTokens / 1e3;
        double u = uncached / 1e3;
        double c = cached / 1e3;
        double d = load.decoding / 100.0;
        x[TTFT_INTERCEPT] = 1;
        x[TTFT_PREFILL] = queued + u;
        x[TTFT_CACHED] = c;
        x[TTFT_ATTENTION] = u * (c + u / 2) / 1e3;
        x[TTFT_KV] = load.kvUsedTokens / 1e4;
        x[TTFT_DECODING] = d;
        x[TTFT_DECODING_X_PREFILL] = d * (queued + u);
        double overflow = 0;
        if (load.kvCapacity > 0) {
            overflow = Math.max(0, load.kvUsedTokens + load.queuedTokens + uncached - load.kvCapacity) / 1e3;
        }
        x[TTFT_KV_OVERFLOW] = overflow;
    }

    /** Fills {@code x[0..TPOT_COUNT)}: the decode step time this request would see joining the endpoint. */
    static void tpot(Load load, double[] x) {
        x[TPOT_INTERCEPT] = 1;
        x[TPOT_BATCH] = (load.decoding + 1) / 100.0;
        x[TPOT_KV] = load.kvUsedTokens / 1e4;
        x[TPOT_INFLOW] = load.inflowTokensPerSecond / 1e3;
    }
}
