package dev.jetway.scheduler.latency;

import dev.jetway.scheduler.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latency model of one pool: per endpoint, the TTFT and TPOT a request would see there, predicted from
 * {@link LatencyFeatures} with coefficients learned online from the responses this gateway relays.
 *
 * <h2>How it learns</h2>
 * Every endpoint has its own weighted recursive-least-squares regression ({@link RecursiveLeastSquares}), so a pool of
 * mixed hardware learns one set of coefficients per endpoint; a pool-wide regression learns from every response and
 * predicts for an endpoint until that endpoint has {@code minSamples} observations of its own. Both start from a
 * {@link LatencyPrior}, widened after the first eight responses if they show an engine more than three times slower than it
 * ({@link PriorCalibration}). TTFT and TPOT share one regression so that a non-streamed response, which only reveals
 * its end-to-end time {@code E2E = TTFT + (n − 1)·TPOT}, still teaches both: it is one linear observation of the joint
 * coefficients. Observations are weighted by {@code 1/max(y, ŷ)²} (ŷ the current prediction), i.e. the fit minimises
 * relative error, which is what routing compares and what the error metric reports, and no single observation weighs
 * more than its own size. Forgetting ({@code forgettingWindow} observations) lets an
 * endpoint that changes (a new engine version, a noisy neighbour) be relearned.
 *
 * <h2>Cost</h2>
 * A prediction is two dot products over 12 numbers and reads only volatile fields: no lock, no allocation. Learning
 * is {@code O(12²)} per response under the endpoint's lock.
 */
public final class LatencyModel {

    /**
     * @param prior            where the coefficients start
     * @param forgettingWindow observations after which an old one's weight has fallen to 1/e
     * @param minSamples       an endpoint's own observations before its own coefficients are used
     * @param staleness        scraped metrics older than this are ignored in favour of this gateway's own counters
     * @param inflowTau        time constant of the prefill-inflow rate
     */
    public record Settings(LatencyPrior prior, int forgettingWindow, int minSamples, Duration staleness,
                           Duration inflowTau) {

        public static final Settings DEFAULT = new Settings(LatencyPrior.DEFAULT, 1000, 20, Duration.ofSeconds(5),
                Duration.ofSeconds(10));

        public Settings {
            Objects.requireNonNull(prior, "prior");
            Objects.requireNonNull(staleness, "staleness");
            Objects.requireNonNull(inflowTau, "inflowTau");
            if (forgettingWindow < 10) {
                throw new IllegalArgumentException("forgettingWindow must be >= 10: " + forgettingWindow);
            }
            if (minSamples < 0) {
                throw new IllegalArgumentException("minSamples must be >= 0: " + minSamples);
            }
            if (inflowTau.isZero() || inflowTau.isNegative()) {
                throw new IllegalArgumentException("inflowTau must be > 0");
            }
        }
    }

    /** What a prediction's error is reported for. */
    public enum Kind {
        /** Time to first token of a streamed response. */
        TTFT("ttft"),
        /** Mean time per output token after the first, of a streamed response. */
        TPOT("tpot"),
        /** Time to the whole response, of a non-streamed one. */
        E2E("e2e");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The recent error of one endpoint's (or the pool's, {@code endpointId} null) predictions of one kind. */
    public record PredictionError(String endpointId, Kind kind, double mape, int window, long total) {
    }

    /**
     * One observation the model learned from, for offline study of the model (e.g. {@code jetway simulate
     * --latency-trace}): the joint feature vector (TTFT's features, then TPOT's; a non-streamed response has both,
     * the TPOT part multiplied by its output tokens after the first), the observed and the predicted value.
     */
    public record Sample(String endpointId, Kind kind, double[] features, double observed, double predicted,
                         long atNanos) {
    }

    /** Names of the joint features, in {@link Sample#features()} order. */
    public static java.util.List<String> featureNames() {
        java.util.List<String> names = new ArrayList<>();
        for (String n : LatencyFeatures.TTFT_NAMES) {
            names.add("ttft." + n);
        }
        for (String n : LatencyFeatures.TPOT_NAMES) {
            names.add("tpot." + n);
        }
        return names;
    }

    private static final int FEATURES = LatencyFeatures.TTFT_COUNT + LatencyFeatures.TPOT_COUNT;

    private static final double MIN_TTFT_SECONDS = 1e-3;
    private static final double MIN_TPOT_SECONDS = 1e-4;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LatencyModel.class);

    private final Settings settings;
    private final long stalenessNanos;
    private final double lambda;
    /** Learns from every response of the pool; guarded by itself. */
    private final CalibratedRegression poolRegression;
    private volatile double[] poolCoefficients;
    /** Where a new endpoint's regression starts: the pool's prior, widened once the pool's calibration did. */
    private volatile PriorCalibration.Prior endpointPrior;
    private final ConcurrentHashMap<String, EndpointLatency> endpoints = new ConcurrentHashMap<>();
    private final OutputLengthEstimator output = new OutputLengthEstimator();
    private final PredictionErrors poolTtftErrors = new PredictionErrors();
    private final PredictionErrors poolTpotErrors = new PredictionErrors();
    private final PredictionErrors poolE2eErrors = new PredictionErrors();
    private final java.util.List<java.util.function.Consumer<Sample>> sampleSinks =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    public LatencyModel(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.stalenessNanos = settings.staleness().toNanos();
        this.lambda = 1.0 - 1.0 / settings.forgettingWindow();
        this.endpointPrior = PriorCalibration.Prior.of(settings.prior());
        this.poolRegression = new CalibratedRegression(endpointPrior, lambda);
        this.poolCoefficients = poolRegression.coefficients();
    }

    public Settings settings() {
        return settings;
    }

    /** Hands every observation to {@code sink} from now on, besides the sinks added before (on the learning thread). */
    public void addSampleSink(java.util.function.Consumer<Sample> sink) {
        sampleSinks.add(Objects.requireNonNull(sink, "sink"));
    }

    /**
     * Per-request scratch space for predictions (one per scheduling cycle, reused across its candidates), and what
     * the last {@link #predict} found out about its endpoint.
     */
    public static final class Scratch {
        final double[] ttftX = new double[LatencyFeatures.TTFT_COUNT];
        final double[] tpotX = new double[LatencyFeatures.TPOT_COUNT];
        final LatencyFeatures.Load load = new LatencyFeatures.Load();
        double[] coefficients;
        /** Predicted time to first token, seconds. */
        public double ttft;
        /** Predicted time per output token, seconds. */
        public double tpot;
        /** After {@link #costToOthers}: the request's own prefill time there, seconds. */
        public double prefill;
        /** After {@link #costToOthers}: seconds its decode adds to each decode step it shares. */
        public double decodeStep;
        /** After {@link #costToOthers}: requests decoding there, now or by the time it prefills. */
        public int contenders;
        /** After {@link #costToOthers}: requests per second this gateway sends there (decayed). */
        public double arrivals;


        /** Requests decoding on the endpoint of the last prediction. */
        public int decoding() {
            return load.decoding;
        }
    }

    private EndpointLatency state(Endpoint e) {
        EndpointLatency s = e.attachment(this, EndpointLatency.class);
        if (s == null) {
            s = endpoints.computeIfAbsent(e.id(), id -> new EndpointLatency(id,
                    new CalibratedRegression(endpointPrior, lambda),
                    settings.inflowTau().toNanos() / 1e9, settings.prior().prefillTokensPerSecond()));
            e.attach(this, s);
        }
        return s;
    }

    private double[] coefficientsFor(EndpointLatency s) {
        return s.samples() >= settings.minSamples() ? s.coefficients() : poolCoefficients;
    }

    /**
     * Predicts TTFT and TPOT of a request with {@code uncached} tokens to prefill and {@code cached} tokens the
     * endpoint is believed to hold, were it sent to {@code e} now; results in {@code scratch.ttft} and
     * {@code scratch.tpot}. No allocation.
     */
    public void predict(Endpoint e, long nowNanos, long uncached, long cached, Scratch scratch) {
        EndpointLatency s = state(e);
        double[] c = coefficientsFor(s);
        resolveLoad(e, s, nowNanos, scratch.load);
        LatencyFeatures.ttft(scratch.load, uncached, cached, scratch.ttftX);
        LatencyFeatures.tpot(scratch.load, scratch.tpotX);
        scratch.coefficients = c;
        double ttft = 0;
        for (int i = 0; i < LatencyFeatures.TTFT_COUNT; i++) {
            ttft += c[i] * scratch.ttftX[i];
        }
        double tpot = 0;
        for (int i = 0; i < LatencyFeatures.TPOT_COUNT; i++) {
            tpot += c[LatencyFeatures.TTFT_COUNT + i] * scratch.tpotX[i];
        }
        scratch.ttft = Math.max(MIN_TTFT_SECONDS, ttft);
        scratch.tpot = Math.max(MIN_TPOT_SECONDS, tpot);
    }

    /**
     * The endpoint's load; the prefill queue is this model's own ({@link EndpointLatency}), plus any in-flight work
     * it did not see sent (requests routed before this model existed, e.g. across a config change).
     */
    private void resolveLoad(Endpoint e, EndpointLatency s, long nowNanos, LatencyFeatures.Load out) {
        double queued = s.queuedTokens(nowNanos) + Math.max(0, e.inFlightTokens() - s.pendingTokens());
        int queuedRequests = Math.max(s.pendingRequests(), e.inFlightPrefills());
        LatencyFeatures.load(e, nowNanos, stalenessNanos, s.inflowTokensPerSecond(nowNanos), queued, queuedRequests,
                out);
        out.arrivalsPerSecond = s.arrivalsPerSecond(nowNanos);
    }

    /**
     * Fills in what the request of the last {@link #predict} into {@code scratch} would cost the other requests on
     * that endpoint, from the same coefficients as the prediction: {@code scratch.prefill}, the time its own prefill
     * takes (every step of it is longer for the requests decoding meanwhile), and {@code scratch.decodeStep}, what
     * its decode adds to every step it shares with them (a sequence and its context). {@code scratch.contenders}
     * counts those requests: the ones decoding now and the ones queued ahead of it, which will be decoding by the
     * time it prefills; {@code scratch.arrivals} the requests per second this gateway sends there, who queue behind
     * it.
     *
     * @param expectedOutput tokens the request is expected to generate
     */
    public void costToOthers(Scratch scratch, long uncached, long cached, double expectedOutput) {
        double[] c = scratch.coefficients;
        double u = uncached / 1e3;
        double m = cached / 1e3;
        // The learned cost of "cached" tokens counts too: attention over them, and, with an optimistic prefix index,
        // the part of a believed hit the engine recomputes after all.
        scratch.prefill = c[LatencyFeatures.TTFT_PREFILL] * u + c[LatencyFeatures.TTFT_CACHED] * m
                + c[LatencyFeatures.TTFT_ATTENTION] * u * (m + u / 2) / 1e3
                + c[LatencyFeatures.TTFT_DECODING_X_PREFILL] * (scratch.load.decoding / 100.0) * u
                // Past the KV capacity the own tokens wait for room too: their share of the overflow is theirs.
                + c[LatencyFeatures.TTFT_KV_OVERFLOW] * Math.min(u, scratch.ttftX[LatencyFeatures.TTFT_KV_OVERFLOW]);
        scratch.decodeStep = c[LatencyFeatures.TTFT_COUNT + LatencyFeatures.TPOT_BATCH] / 100.0
                + c[LatencyFeatures.TTFT_COUNT + LatencyFeatures.TPOT_KV] * (uncached + cached + expectedOutput / 2)
                / 1e4;
        scratch.contenders = scratch.load.decoding + scratch.load.queuedRequests;
        scratch.arrivals = scratch.load.arrivalsPerSecond;
    }

    /**
     * Output tokens a new request's decode shares with the requests already running, on average: they are about
     * halfway through outputs like the recent mean.
     */
    public double sharedDecodeTokens(double expectedOutput) {
        return Math.min(expectedOutput, output.mean() / 2);
    }

    /** Expected output tokens of a request asking for {@code maxTokens} (≤ 0: none given), learned from responses. */
    public double expectedOutputTokens(int maxTokens) {
        return output.expected(maxTokens);
    }

    /**
     * The request is being sent to {@code e} now: records the features as they are (before the request itself is
     * counted there) for learning from its response, and counts its prefill work in the endpoint's inflow.
     *
     * @param predictedTtft what was predicted for this endpoint at decision time (for the error metric)
     * @param predictedTpot likewise
     */
    public Observation sent(Endpoint e, long nowNanos, long uncached, long cached, boolean stream, int maxTokens,
                            double predictedTtft, double predictedTpot) {
        EndpointLatency s = state(e);
        Scratch scratch = new Scratch();
        resolveLoad(e, s, nowNanos, scratch.load);
        LatencyFeatures.ttft(scratch.load, uncached, cached, scratch.ttftX);
        LatencyFeatures.tpot(scratch.load, scratch.tpotX);
        return new Observation(s, s.sent(uncached, nowNanos), scratch.ttftX, scratch.tpotX, nowNanos, stream,
                maxTokens, predictedTtft, predictedTpot);
    }

    /** The first token of a request {@link #sent} came back at {@code nowNanos}. */
    public void firstToken(Observation o, long nowNanos) {
        if (o.firstTokenNanos != Long.MIN_VALUE || o.completed) {
            return;
        }
        o.firstTokenNanos = nowNanos;
        o.endpoint.prefilled(o.pending, nowNanos);
        if (!o.stream || !o.teaches) {
            return; // a non-streamed response's first byte is its last: learned at completion
        }
        double ttft = (nowNanos - o.sentNanos) / 1e9;
        double[] x = new double[FEATURES];
        System.arraycopy(o.ttftX, 0, x, 0, LatencyFeatures.TTFT_COUNT);
        learn(o.endpoint, x, ttft);
        emit(o, Kind.TTFT, x, ttft, o.predictedTtft, nowNanos);
        o.endpoint.ttftErrors.add(o.predictedTtft, ttft);
        poolTtftErrors.add(o.predictedTtft, ttft);
    }

    /**
     * The request ended at {@code nowNanos} with {@code outputTokens} generated (negative when unknown). Failed or
     * aborted requests teach nothing (their timing is not the engine's).
     */
    public void completed(Observation o, long nowNanos, boolean success, int outputTokens) {
        if (o.completed) {
            return;
        }
        o.completed = true;
        if (o.firstTokenNanos == Long.MIN_VALUE) {
            o.endpoint.abandoned(o.pending, nowNanos);
        }
        if (!success || outputTokens < 1 || !o.teaches) {
            return;
        }
        output.observe(o.maxTokens, outputTokens);
        double[] x = new double[FEATURES];
        if (o.stream) {
            if (o.firstTokenNanos == Long.MIN_VALUE || outputTokens < 2) {
                return;
            }
            double tpot = (nowNanos - o.firstTokenNanos) / 1e9 / (outputTokens - 1);
            System.arraycopy(o.tpotX, 0, x, LatencyFeatures.TTFT_COUNT, LatencyFeatures.TPOT_COUNT);
            learn(o.endpoint, x, tpot);
            emit(o, Kind.TPOT, x, tpot, o.predictedTpot, nowNanos);
            o.endpoint.tpotErrors.add(o.predictedTpot, tpot);
            poolTpotErrors.add(o.predictedTpot, tpot);
        } else {
            double e2e = (nowNanos - o.sentNanos) / 1e9;
            System.arraycopy(o.ttftX, 0, x, 0, LatencyFeatures.TTFT_COUNT);
            for (int i = 0; i < LatencyFeatures.TPOT_COUNT; i++) {
                x[LatencyFeatures.TTFT_COUNT + i] = (outputTokens - 1) * o.tpotX[i];
            }
            learn(o.endpoint, x, e2e);
            double predicted = o.predictedTtft + (outputTokens - 1) * o.predictedTpot;
            emit(o, Kind.E2E, x, e2e, predicted, nowNanos);
            o.endpoint.e2eErrors.add(predicted, e2e);
            poolE2eErrors.add(predicted, e2e);
        }
    }

    /** The request of {@code o} will not be heard of again there (e.g. retried on another endpoint). */
    public void abandon(Observation o, long nowNanos) {
        if (!o.completed) {
            o.completed = true;
            o.endpoint.abandoned(o.pending, nowNanos);
        }
    }

    private void emit(Observation o, Kind kind, double[] x, double observed, double predicted, long nowNanos) {
        if (sampleSinks.isEmpty()) {
            return;
        }
        Sample sample = new Sample(o.endpoint.endpointId, kind, x, observed, predicted, nowNanos);
        for (java.util.function.Consumer<Sample> sink : sampleSinks) {
            sink.accept(sample);
        }
    }

    private void learn(EndpointLatency s, double[] x, double y) {
        PriorCalibration.Widened own = s.learn(x, y);
        if (own != null) {
            log.info("latency model: the first responses of {} took {} the prior's TTFT and {} its TPOT; its prior is "
                    + "widened to match", s.endpointId, times(own.ttftScale()), times(own.tpotScale()));
        }
        synchronized (poolRegression) {
            PriorCalibration.Widened pool = poolRegression.learn(x, y);
            poolCoefficients = poolRegression.coefficients();
            if (pool != null) {
                endpointPrior = poolRegression.prior();
                log.debug("latency model: pool prior widened, TTFT {}, TPOT {}", times(pool.ttftScale()),
                        times(pool.tpotScale()));
            }
        }
    }

    private static String times(double scale) {
        return scale == 1 ? "about" : String.format(java.util.Locale.ROOT, "%.1fx", scale);
    }

    /**
     * The pool's recent TTFT error (MAPE as a fraction; the E2E error when nothing streamed, NaN before any
     * response): how far apart two predictions must be before the model can tell them apart.
     */
    public double recentTtftError() {
        double ttft = poolTtftErrors.mape();
        return Double.isNaN(ttft) ? poolE2eErrors.mape() : ttft;
    }

    /** Recent prediction errors: the pool's (endpoint id null) and each endpoint's, per kind with observations. */
    public List<PredictionError> errors() {
        List<PredictionError> out = new ArrayList<>();
        add(out, null, Kind.TTFT, poolTtftErrors);
        add(out, null, Kind.TPOT, poolTpotErrors);
        add(out, null, Kind.E2E, poolE2eErrors);
        List<EndpointLatency> all = new ArrayList<>(endpoints.values());
        all.sort(Comparator.comparing(s -> s.endpointId));
        for (EndpointLatency s : all) {
            add(out, s.endpointId, Kind.TTFT, s.ttftErrors);
            add(out, s.endpointId, Kind.TPOT, s.tpotErrors);
            add(out, s.endpointId, Kind.E2E, s.e2eErrors);
        }
        return out;
    }

    private static void add(List<PredictionError> out, String id, Kind kind, PredictionErrors errors) {
        if (errors.windowSize() > 0) {
            out.add(new PredictionError(id, kind, errors.mape(), errors.windowSize(), errors.total()));
        }
    }

    /** Stops tracking endpoints not in {@code liveIds} (removed from the pool). */
    public void retain(java.util.Set<String> liveIds) {
        endpoints.keySet().retainAll(liveIds);
    }

    /** The coefficients an endpoint's predictions use now, by feature name (for docs, logs and tests). */
    public java.util.Map<String, Double> coefficients(Endpoint e) {
        double[] c = coefficientsFor(state(e));
        java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < LatencyFeatures.TTFT_COUNT; i++) {
            out.put("ttft." + LatencyFeatures.TTFT_NAMES[i], c[i]);
        }
        for (int i = 0; i < LatencyFeatures.TPOT_COUNT; i++) {
            out.put("tpot." + LatencyFeatures.TPOT_NAMES[i], c[LatencyFeatures.TTFT_COUNT + i]);
        }
        return out;
    }

    /** Observations an endpoint's own regression has learned from. */
    public long samples(Endpoint e) {
        return state(e).samples();
    }

    /**
     * What was known when one request was sent, kept until its response teaches the model. One per request; the
     * scheduler's hooks for one request run one after another, so it needs no synchronisation of its own.
     */
    public static final class Observation {
        final EndpointLatency endpoint;
        final EndpointLatency.Pending pending;
        final double[] ttftX;
        final double[] tpotX;
        final long sentNanos;
        final boolean stream;
        final int maxTokens;
        final double predictedTtft;
        final double predictedTpot;
        long firstTokenNanos = Long.MIN_VALUE;
        boolean completed;
        boolean teaches = true;

        Observation(EndpointLatency endpoint, EndpointLatency.Pending pending, double[] ttftX, double[] tpotX,
                    long sentNanos, boolean stream, int maxTokens, double predictedTtft, double predictedTpot) {
            this.endpoint = endpoint;
            this.pending = pending;
            this.ttftX = ttftX;
            this.tpotX = tpotX;
            this.sentNanos = sentNanos;
            this.stream = stream;
            this.maxTokens = maxTokens;
            this.predictedTtft = predictedTtft;
            this.predictedTpot = predictedTpot;
        }

        /**
         * The response still moves the endpoint's load (its prefill leaves the queue at the first token) but teaches
         * nothing: no TTFT, TPOT or E2E sample, no output length, no prediction error.
         */
        public void teachNothing() {
            teaches = false;
        }

        /** The endpoint's id. */
        public String endpointId() {
            return endpoint.endpointId;
        }

        public double predictedTtft() {
            return predictedTtft;
        }

        public double predictedTpot() {
            return predictedTpot;
        }
    }
}
