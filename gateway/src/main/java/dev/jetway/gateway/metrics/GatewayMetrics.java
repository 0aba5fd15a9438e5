package dev.jetway.gateway.metrics;

import dev.jetway.gateway.tokenize.RemoteTokenizer;
import dev.jetway.gateway.tokenize.RemoteTokens;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The gateway's own metrics: llm-d EPP names ({@code llm_d_epp_*}) where llm-d has one, {@code jetway_*} for the
 * rest. Meters for a model are looked up once and cached; model labels are capped at 1000 distinct values.
 */
public final class GatewayMetrics {

    private static final Duration[] LATENCY_BUCKETS = buckets(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
            0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600);
    private static final Duration[] DECISION_BUCKETS = buckets(0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005,
            0.001, 0.0025, 0.005, 0.01, 0.05);

    /**
     * The statuses the gateway answers itself when a request fails: shed or over a limit (429), an upstream {@code 5xx}
     * passed on (500), no model server reached (502), no endpoint (503), a deadline (504).
     */
    public static final List<String> GATEWAY_ERROR_CODES = List.of("429", "500", "502", "503", "504");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final LabelCap models = new LabelCap(1000);
    private final LabelCap fairnessIds = new LabelCap(1000);
    private final ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicLong> settableGauges =
            new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> queueDurations = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ModelMeters> byModel = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> errorCounters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> upstreamErrors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> pollErrors = new ConcurrentHashMap<>();
    private final java.util.EnumMap<ClientRefusal, Counter> refusals = new java.util.EnumMap<>(ClientRefusal.class);
    private final EnumMap<MigrationOutcome, Counter> migrations = new EnumMap<>(MigrationOutcome.class);
    private final ConcurrentHashMap<String, Timer> pluginDurations = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> guardrailDecisions = new ConcurrentHashMap<>();
    private final List<Runnable> scrapeHooks = new CopyOnWriteArrayList<>();
    private final Timer schedulerDuration;
    private final Counter retries;
    private final Counter clientDisconnects;
    private final DistributionSummary prefixHitRatio;
    private final PdMetrics pd;
    private JvmGcMetrics gc;

    public GatewayMetrics() {
        schedulerDuration = Timer.builder("llm_d_epp_scheduler_e2e_duration")
                .description("Time to run one scheduling cycle")
                .serviceLevelObjectives(DECISION_BUCKETS)
                .register(registry);
        retries = Counter.builder("jetway_retries")
                .description("Requests moved to another endpoint before their first byte")
                .register(registry);
        clientDisconnects = Counter.builder("jetway_client_disconnects")
                .description("Clients that went away before their response ended (upstream request cancelled)")
                .register(registry);
        prefixHitRatio = DistributionSummary.builder("jetway_prefix_hit_ratio")
                .description("Share of the prompt's blocks the chosen endpoint is believed to hold")
                .serviceLevelObjectives(0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)
                .register(registry);
        pd = new PdMetrics(registry);
        bindJvmAndProcessMetrics();
        // series an alert would use rate() or absent() on exist from the first scrape, at zero
        for (UpstreamErrorKind kind : UpstreamErrorKind.values()) {
            upstreamErrorCounter(kind);
        }
        for (MigrationOutcome outcome : MigrationOutcome.values()) {
            migrations.put(outcome, Counter.builder("jetway_migrations")
                    .description("Streams whose model server failed mid-response, by what the gateway did about it")
                    .tag("outcome", outcome.label())
                    .register(registry));
        }
        pd.preRegister();
        for (RemoteTokenizer.Failure reason : RemoteTokenizer.Failure.values()) {
            FunctionCounter.builder("jetway_engine_tokenizer_fallbacks", reason, RemoteTokens::fallbacks)
                    .description("Requests routed with the length estimate because the engine tokenizer timed out, "
                            + "failed, or was backing off after a failure")
                    .tag("reason", reason.label()).register(registry);
        }
        for (ClientRefusal reason : ClientRefusal.values()) {
            refusals.put(reason, Counter.builder("jetway_client_refusals")
                    .description("Clients turned away or cut off at the edge (connection caps, slow or oversized "
                            + "request heads, pipelining floods, stalled readers, shutdown)")
                    .tag("reason", reason.label()).register(registry));
        }
    }

    /**
     * What an SRE expects of a JVM service: heap and non-heap pools, GC pauses and allocation, threads, classes,
     * CPU, uptime, open files (Micrometer's binders: jvm_*, process_*, system_*).
     */
    private void bindJvmAndProcessMetrics() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** Stops the GC listener (the gateway is closing). */
    public void close() {
        if (gc != null) {
            gc.close();
        }
    }

    /** Prefill/decode disaggregation's meters. */
    public PdMetrics pd() {
        return pd;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text page. */
    public String scrape() {
        for (Runnable hook : scrapeHooks) {
            hook.run();
        }
        return registry.scrape();
    }

    /** Meters labelled with a model (capped). */
    public ModelMeters model(String modelName) {
        ModelMeters m = byModel.get(modelName);
        if (m != null) {
            return m;
        }
        String label = models.apply(modelName);
        return byModel.computeIfAbsent(label, l -> new ModelMeters(registry, l));
    }

    /** The label a model's meters carry (the name, or {@code other} past the cap). */
    public String modelLabel(String modelName) {
        return models.apply(modelName);
    }

    public void requestError(String modelName, String errorCode) {
        errorCounter(models.apply(modelName), errorCode).increment();
    }

    private Counter errorCounter(String label, String errorCode) {
        return errorCounters.computeIfAbsent(label + '\u0000' + errorCode, k -> Counter.builder(
                        "llm_d_epp_request_error")
                .description("Requests that ended in an error, by error code")
                .tags("model_name", label, "target_model_name", label, "error_code", errorCode)
                .register(registry));
    }

    /**
     * A model the configuration serves: its request meters, and its error counter for each status the gateway
     * itself answers when a request fails ({@link #GATEWAY_ERROR_CODES}), exist at zero from the first scrape, so
     * an error-rate alert ({@code rate(error) / rate(requests)}) is defined before the first request. Other error
     * codes (a model server's 4xx) start with their first error.
     */
    public void modelConfigured(String modelName) {
        model(modelName);
        String label = models.apply(modelName);
        for (String code : GATEWAY_ERROR_CODES) {
            errorCounter(label, code);
        }
    }

    /**
     * A guardrail decided: {@code rule} is a deny or redact rule's name, or {@code models}, {@code max-tokens},
     * {@code max-prompt-tokens}, {@code moderation}; {@code outcome} what it did (docs/governance.md).
     */
    public void guardrailDecision(String rule, String outcome) {
        guardrailCounter(rule, outcome).increment();
    }

    /** A decision the configured guardrails can make: its series exists at zero from the first scrape. */
    public void guardrailConfigured(String rule, String outcome) {
        guardrailCounter(rule, outcome);
    }

    private Counter guardrailCounter(String rule, String outcome) {
        return guardrailDecisions.computeIfAbsent(rule + '\u0000' + outcome, k -> Counter.builder(
                        "jetway_guardrail_decisions")
                .description("Guardrail decisions by rule and outcome").tag("rule", rule).tag("outcome", outcome)
                .register(registry));
    }

    public void upstreamError(UpstreamErrorKind kind) {
        upstreamErrorCounter(kind).increment();
    }

    private Counter upstreamErrorCounter(UpstreamErrorKind kind) {
        return upstreamErrors.computeIfAbsent(kind.label(), k -> Counter.builder("jetway_upstream_errors")
                .description("Failures talking to model servers, by kind")
                .tag("kind", k)
                .register(registry));
    }

    public void migration(MigrationOutcome outcome) {
        migrations.get(outcome).increment();
    }

    public void pollError(String endpoint) {
        pollErrorCounter(endpoint).increment();
    }

    /** An endpoint whose metrics are scraped from now on: its failed-scrape counter exists at zero. */
    public void scraping(String endpoint) {
        pollErrorCounter(endpoint);
    }

    private Counter pollErrorCounter(String endpoint) {
        return pollErrors.computeIfAbsent(endpoint, e -> Counter.builder("llm_d_epp_datalayer_poll_errors")
                .description("Failed scrapes of model-server metrics")
                .tag("endpoint", e)
                .register(registry));
    }

    /** One plugin's share of a scheduling cycle (the scheduler's {@code PluginTimer}). */
    public void pluginDuration(String extensionPoint, String pluginType, String pluginName, long nanos) {
        String key = extensionPoint + '\u0000' + pluginType + '\u0000' + pluginName;
        Timer t = pluginDurations.get(key);
        if (t == null) {
            t = pluginDurations.computeIfAbsent(key, k -> Timer.builder("llm_d_epp_plugin_duration")
                    .description("Time spent in one scheduler plugin per cycle")
                    .tags("extension_point", extensionPoint, "plugin_type", pluginType, "plugin_name", pluginName)
                    .serviceLevelObjectives(DECISION_BUCKETS)
                    .register(registry));
        }
        t.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void schedulerDuration(long nanos) {
        schedulerDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The edge turned a client away or cut it off. */
    public void clientRefused(ClientRefusal reason) {
        refusals.get(reason).increment();
    }

    public void retry() {
        retries.increment();
    }

    public void clientDisconnect() {
        clientDisconnects.increment();
    }

    public void prefixHitRatio(double ratio) {
        prefixHitRatio.record(ratio);
    }

    /** A gauge computed when scraped (pool averages, readiness). */
    public void gauge(String name, String description, Tags tags, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).tags(tags).strongReference(true).register(registry);
    }

    /**
     * A counter read from {@code source} when scraped (the value must only grow, or restart from 0). Micrometer
     * holds {@code source} weakly: it must be kept alive elsewhere.
     */
    public <T> void functionCounter(String name, String description, Tags tags, T source, ToDoubleFunction<T> value) {
        FunctionCounter.builder(name, source, value).description(description).tags(tags).register(registry);
    }

    /**
     * A gauge holding the last value set (state refreshed before a scrape, e.g. queue sizes by flow). The first call
     * for a name and tags registers it.
     */
    public void gaugeValue(String name, String description, Tags tags, double value) {
        settableGauges.computeIfAbsent(name + tags, k -> {
            java.util.concurrent.atomic.AtomicLong bits = new java.util.concurrent.atomic.AtomicLong();
            Gauge.builder(name, bits, b -> Double.longBitsToDouble(b.get())).description(description).tags(tags)
                    .strongReference(true).register(registry);
            return bits;
        }).set(Double.doubleToLongBits(value));
    }

    /** Removes a gauge of {@link #gaugeValue}. */
    public void removeGaugeValue(String name, Tags tags) {
        if (settableGauges.remove(name + tags) != null) {
            remove(name, tags);
        }
    }

    /** A fairness id as a label value (capped at 1000 distinct values, like llm-d's). */
    public String fairnessLabel(String fairnessId) {
        return fairnessIds.apply(fairnessId);
    }

    /**
     * How long a request spent in flow control, by how it left ({@code Dispatched}, or llm-d's rejection outcome):
     * llm-d's {@code flow_control_request_queue_duration_seconds}.
     */
    public void flowQueueDuration(String pool, String model, String fairnessId, int priority, String outcome,
                                  long nanos) {
        String modelLabel = models.apply(model);
        String fairness = fairnessIds.apply(fairnessId);
        String key = pool + '\u0000' + modelLabel + '\u0000' + fairness + '\u0000' + priority + '\u0000' + outcome;
        queueDurations.computeIfAbsent(key, k -> Timer.builder("llm_d_epp_flow_control_request_queue_duration")
                .description("Time requests spent in flow control, by outcome")
                .tags("inference_pool", pool, "model_name", modelLabel, "target_model_name", modelLabel,
                        "fairness_id", fairness, "priority", Integer.toString(priority), "outcome", outcome)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Removes the meter with exactly these name and tags, if registered. */
    public void remove(String name, Tags tags) {
        long count = tags.stream().count();
        for (Meter m : registry.find(name).tags(tags).meters()) {
            if (m.getId().getTags().size() == count) {
                registry.remove(m);
            }
        }
    }

    /** Runs {@code hook} before every {@link #scrape()} (meters whose set changes with what was learned). */
    public void beforeScrape(Runnable hook) {
        scrapeHooks.add(hook);
    }

    /** Removes the gauges of a pool or endpoint that left the configuration. */
    public void removeGauges(Tags tags) {
        registry.getMeters().stream()
                .filter(m -> m.getId().getType() == Meter.Type.GAUGE)
                .filter(m -> tags.stream().allMatch(t -> t.getValue().equals(m.getId().getTag(t.getKey()))))
                .toList()
                .forEach(registry::remove);
    }

    /** Per-model request meters (llm-d labels {@code model_name}, {@code target_model_name}). */
    public static final class ModelMeters {
        private final MeterRegistry registry;
        private final Tags tags;
        private final Counter requests;
        private final Timer duration;
        private final Timer ttftStreaming;
        private final Timer ttftNonStreaming;
        private final DistributionSummary requestSize;
        private final DistributionSummary inputTokens;
        private final DistributionSummary outputTokens;
        /** Created at the first prediction: only models served by a pool with a latency model have them. */
        private volatile Timer predictedTtft;
        private volatile Timer predictedTpot;

        ModelMeters(MeterRegistry registry, String model) {
            this.registry = registry;
            this.tags = Tags.of("model_name", model, "target_model_name", model);
            requests = Counter.builder("llm_d_epp_request").description("Requests received").tags(tags)
                    .register(registry);
            duration = Timer.builder("llm_d_epp_request_duration").description("Request end-to-end latency")
                    .tags(tags).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
            ttftStreaming = Timer.builder("llm_d_epp_request_ttft").description("Time to first token")
                    .tags(tags).tag("streaming", "true").serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
            ttftNonStreaming = Timer.builder("llm_d_epp_request_ttft").description("Time to first token")
                    .tags(tags).tag("streaming", "false").serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
            requestSize = DistributionSummary.builder("llm_d_epp_request_size").baseUnit("bytes")
                    .description("Request body size").tags(tags)
                    .serviceLevelObjectives(1024, 8192, 65536, 262144, 1048576, 8388608).register(registry);
            double[] tokenBuckets = {16, 64, 256, 1024, 4096, 16384, 65536, 262144};
            inputTokens = DistributionSummary.builder("llm_d_epp_request_input_tokens").baseUnit("tokens")
                    .description("Prompt tokens of each routed request (as the pool's tokenizer counts them)")
                    .tags(tags).serviceLevelObjectives(tokenBuckets).register(registry);
            outputTokens = DistributionSummary.builder("llm_d_epp_request_output_tokens").baseUnit("tokens")
                    .description("Tokens generated per successful response").tags(tags)
                    .serviceLevelObjectives(tokenBuckets).register(registry);
        }

        /** A request ended: its prompt's tokens, and those it generated (negative: unknown, not recorded). */
        public void tokens(long prompt, long generated) {
            if (prompt >= 0) {
                inputTokens.record(prompt);
            }
            if (generated >= 0) {
                outputTokens.record(generated);
            }
        }

        public void received(long bodyBytes) {
            requests.increment();
            requestSize.record(bodyBytes);
        }

        public void completed(long nanos) {
            duration.record(nanos, TimeUnit.NANOSECONDS);
        }

        public void firstToken(boolean streaming, long nanos) {
            (streaming ? ttftStreaming : ttftNonStreaming).record(nanos, TimeUnit.NANOSECONDS);
        }

        /** The TTFT and TPOT the latency model predicted for the endpoint that served a request, in seconds. */
        public void predicted(double ttftSeconds, double tpotSeconds) {
            Timer ttft = predictedTtft;
            Timer tpot = predictedTpot;
            if (ttft == null || tpot == null) {
                // Micrometer returns the registered meter when another thread won the race
                ttft = predictedTtft = Timer.builder("llm_d_epp_request_predicted_ttft")
                        .description("Time to first token the latency model predicted for the chosen endpoint")
                        .tags(tags).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
                tpot = predictedTpot = Timer.builder("llm_d_epp_request_predicted_tpot")
                        .description("Time per output token the latency model predicted for the chosen endpoint")
                        .tags(tags).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
            }
            if (Double.isFinite(ttftSeconds) && ttftSeconds >= 0) {
                ttft.record(Math.round(ttftSeconds * 1e9), TimeUnit.NANOSECONDS);
            }
            if (Double.isFinite(tpotSeconds) && tpotSeconds >= 0) {
                tpot.record(Math.round(tpotSeconds * 1e9), TimeUnit.NANOSECONDS);
            }
        }
    }

    private static Duration[] buckets(double... seconds) {
        Duration[] out = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            out[i] = Duration.ofNanos(Math.round(seconds[i] * 1e9));
        }
        return out;
    }
}
