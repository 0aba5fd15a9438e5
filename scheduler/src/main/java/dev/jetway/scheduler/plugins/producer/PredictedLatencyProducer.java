package dev.jetway.scheduler.plugins.producer;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.latency.LatencyModel;
import dev.jetway.scheduler.latency.LatencyPredictions;
import dev.jetway.scheduler.latency.LatencyPrior;
import dev.jetway.scheduler.latency.SloTargets;
import dev.jetway.scheduler.spi.AttributeKey;
import dev.jetway.scheduler.spi.DataProducer;
import dev.jetway.scheduler.spi.PreRequestHook;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.PrefixMatchReader;
import dev.jetway.scheduler.spi.PromptTokensReader;
import dev.jetway.scheduler.spi.ResponseHook;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code predicted-latency-producer}: per candidate endpoint, the TTFT and TPOT this request would see there and the
 * latency it would add to the requests already decoding there ({@link LatencyPredictions}), from Jetway's in-process
 * {@link LatencyModel}; and, through its hooks, the model's training: the features when the request is sent, its
 * first token (TTFT of a streamed response) and its completion (TPOT, or the whole time of a non-streamed one).
 *
 * <p>llm-d's parameters: {@code sloBufferFactor} (1.0) scales the objectives before headroom is computed;
 * {@code predictInProduce} (true; false = learn only); {@code prefixMatchInfoProducerName}. llm-d's sidecar settings
 * ({@code samplingMean}, {@code maxDecodeTokenSamplesForPrediction}, {@code contextTTL}, {@code streamingMode},
 * {@code endpointRoleLabel}) are accepted: Jetway learns from every response, streamed or not, in process.
 * Jetway's own: the prior {@code prefillTokensPerSecond} (15928) and {@code decodeStepMs} (20), {@code
 * forgettingWindow} (1000 observations), {@code minSamples} (20, before an endpoint's own coefficients are used),
 * {@code metricsStalenessThreshold} (5s, after which scraped metrics give way to in-flight counts) and
 * {@code inflowTau} (10s).
 */
public final class PredictedLatencyProducer implements DataProducer, PrefixMatchReader, PromptTokensReader,
        PreRequestHook, ResponseHook {

    public static final String TYPE = "predicted-latency-producer";

    public record Params(double sloBufferFactor, boolean predictInProduce, String prefixMatchInfoProducerName,
                         LatencyModel.Settings settings) {
    }

    private final String name;
    private final Params params;
    private final LatencyModel model;
    private final AttributeKey<LatencyPredictions> key;
    private final AttributeKey<LatencyModel.Observation> observationKey;
    /** A split request's prefill leg: teaches the prefill endpoint's TTFT only. */
    private final AttributeKey<LatencyModel.Observation> prefillObservationKey;

    PredictedLatencyProducer(String name, Params params, LatencyModel model) {
        this.name = name;
        this.params = params;
        this.model = model;
        this.key = LatencyPredictions.keyFor(name);
        this.observationKey = AttributeKey.of("latency-observation:" + name, LatencyModel.Observation.class);
        this.prefillObservationKey = AttributeKey.of("latency-prefill-observation:" + name,
                LatencyModel.Observation.class);
    }

    public static PredictedLatencyProducer create(String name, PluginParameters p, SchedulerEnvironment env) {
        double buffer = p.number("sloBufferFactor", 1.0, 1e-9, 1e9);
        boolean predict = p.bool("predictInProduce", true);
        String prefix = ApproxPrefixCacheProducer.readFrom(p);
        if (p.number("samplingMean", 1000, 0, Double.MAX_VALUE) <= 0) {
            throw p.error("samplingMean", "must be > 0");
        }
        p.integer("maxDecodeTokenSamplesForPrediction", 0, 0, Integer.MAX_VALUE);
        p.duration("contextTTL", Duration.ofMinutes(5));
        p.bool("streamingMode", false);
        p.string("endpointRoleLabel", "");
        LatencyPrior prior = new LatencyPrior(
                p.number("prefillTokensPerSecond", LatencyPrior.DEFAULT.prefillTokensPerSecond(), 1, 1e9),
                p.number("decodeStepMs", LatencyPrior.DEFAULT.decodeStepSeconds() * 1e3, 0.01, 1e5) / 1e3);
        LatencyModel.Settings defaults = LatencyModel.Settings.DEFAULT;
        LatencyModel.Settings settings = new LatencyModel.Settings(prior,
                p.integer("forgettingWindow", defaults.forgettingWindow(), 10, 100_000_000),
                p.integer("minSamples", defaults.minSamples(), 0, 1_000_000),
                positive(p, "metricsStalenessThreshold", defaults.staleness()),
                positive(p, "inflowTau", defaults.inflowTau()));
        var provider = env.services().latencyModels();
        LatencyModel model = provider != null ? provider.apply(settings) : new LatencyModel(settings);
        return new PredictedLatencyProducer(name, new Params(buffer, predict, prefix, settings), model);
    }

    private static Duration positive(PluginParameters p, String field, Duration defaultValue) {
        Duration d = p.duration(field, defaultValue);
        if (d.isZero() || d.isNegative()) {
            throw p.error(field, "must be > 0");
        }
        return d;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String name() {
        return name;
    }

    public Params params() {
        return params;
    }

    /** The model this producer predicts with and trains (its errors feed {@code jetway_latency_prediction_error}). */
    public LatencyModel model() {
        return model;
    }

    @Override
    public String prefixMatchProducerName() {
        return params.prefixMatchInfoProducerName();
    }

    @Override
    public String describeParameters() {
        LatencyModel.Settings s = params.settings();
        return String.format(Locale.ROOT, "in-process online model (per-endpoint recursive least squares), "
                        + "sloBufferFactor=%s, predictInProduce=%s, prefixMatchInfoProducerName=%s, "
                        + "prefillTokensPerSecond=%s, decodeStepMs=%s, forgettingWindow=%d, minSamples=%d, "
                        + "metricsStalenessThreshold=%dms, inflowTau=%dms",
                params.sloBufferFactor(), params.predictInProduce(), params.prefixMatchInfoProducerName(),
                s.prior().prefillTokensPerSecond(), s.prior().decodeStepSeconds() * 1e3, s.forgettingWindow(),
                s.minSamples(), s.staleness().toMillis(), s.inflowTau().toMillis());
    }

    @Override
    public int stage() {
        return STAGE_LOAD;
    }

    /** The key this producer's predictions are stored under. */
    public AttributeKey<LatencyPredictions> key() {
        return key;
    }

    @Override
    public void produce(SchedulingContext context) {
        if (!params.predictInProduce()) {
            return;
        }
        List<Endpoint> endpoints = context.endpoints();
        int n = endpoints.size();
        long prompt = context.promptTokenCount();
        PrefixMatchInfo match = prefixMatch(context);
        double expectedOutput = model.expectedOutputTokens(context.request().maxTokens());
        LatencyPredictions predictions = new LatencyPredictions(n, SloTargets.of(context.request()),
                params.sloBufferFactor(), expectedOutput, model.sharedDecodeTokens(expectedOutput));
        predictions.ttftError(model.recentTtftError());
        LatencyModel.Scratch scratch = new LatencyModel.Scratch();
        long now = context.nowNanos();
        for (int slot = 0; slot < n; slot++) {
            long cached = match == null ? 0 : Math.min(prompt, match.matchedTokens(slot));
            long uncached = prompt - cached;
            model.predict(endpoints.get(slot), now, uncached, cached, scratch);
            model.costToOthers(scratch, uncached, cached, expectedOutput);
            predictions.set(slot, scratch.ttft, scratch.tpot, scratch.prefill, scratch.decodeStep, scratch.contenders,
                    scratch.arrivals);
            predictions.uncachedTokens(slot, uncached);
        }
        context.put(key, predictions);
        if (context.get(LatencyPredictions.DEFAULT_KEY) == null) {
            context.put(LatencyPredictions.DEFAULT_KEY, predictions);
        }
    }

    @Override
    public void preRequest(SchedulingContext context, SchedulingResult result, Endpoint target) {
        int slot = context.endpoints().indexOf(target);
        long prompt = context.promptTokenCount();
        PrefixMatchInfo match = prefixMatch(context);
        long cached = match == null || slot < 0 ? 0 : Math.min(prompt, match.matchedTokens(slot));
        if (result != null && result.servedSplit()) {
            cached = prompt; // the decode leg of a split: the prompt's KV arrives, nothing is prefilled here
        }
        LatencyPredictions predictions = context.get(key);
        double ttft = Double.NaN;
        double tpot = Double.NaN;
        if (predictions != null && slot >= 0) {
            ttft = predictions.ttft(slot);
            tpot = predictions.tpot(slot);
        }
        long now = context.environment().nanoTime();
        LatencyModel.Observation previous = context.get(observationKey);
        if (previous != null) {
            model.abandon(previous, now); // retried here after another endpoint failed it
        }
        LatencyModel.Observation sent = model.sent(target, now, prompt - cached, cached, context.request().stream(),
                context.request().maxTokens(), ttft, tpot);
        if (result != null && result.continuation()) {
            sent.teachNothing(); // a migrated stream's rest: load on the endpoint, but not a sample of these features
        }
        context.put(observationKey, sent);
    }

    /** The prefill leg is a one-token, prefill-only request: its time to answer is its TTFT there. */
    @Override
    public void preRequestPrefill(SchedulingContext context, SchedulingResult result, Endpoint target) {
        int slot = context.endpoints().indexOf(target);
        long prompt = context.promptTokenCount();
        PrefixMatchInfo match = prefixMatch(context);
        long cached = match == null || slot < 0 ? 0 : Math.min(prompt, match.matchedTokens(slot));
        LatencyPredictions predictions = context.get(key);
        double ttft = predictions != null && slot >= 0 ? predictions.ttft(slot) : Double.NaN;
        long now = context.environment().nanoTime();
        LatencyModel.Observation previous = context.get(prefillObservationKey);
        if (previous != null) {
            model.abandon(previous, now);
        }
        context.put(prefillObservationKey, model.sent(target, now, prompt - cached, cached, true, 1, ttft,
                Double.NaN));
    }

    @Override
    public void onPrefillComplete(SchedulingContext context, SchedulingResult result, Endpoint served,
                                  boolean success, long nowNanos) {
        LatencyModel.Observation o = context.get(prefillObservationKey);
        if (o == null || !o.endpointId().equals(served.id())) {
            return;
        }
        if (success) {
            model.firstToken(o, nowNanos);
        }
        // closed without an output count: one forced token teaches neither TPOT nor output lengths
        model.completed(o, nowNanos, false, -1);
    }

    @Override
    public void onFirstToken(SchedulingContext context, SchedulingResult result, Endpoint served, long nowNanos) {
        LatencyModel.Observation o = context.get(observationKey);
        if (o != null && o.endpointId().equals(served.id())) {
            model.firstToken(o, nowNanos);
        }
    }

    @Override
    public void onComplete(SchedulingContext context, SchedulingResult result, Endpoint served, boolean success,
                           int outputTokens, long nowNanos) {
        LatencyModel.Observation o = context.get(observationKey);
        if (o != null && o.endpointId().equals(served.id())) {
            model.completed(o, nowNanos, success, outputTokens);
        }
    }
}
