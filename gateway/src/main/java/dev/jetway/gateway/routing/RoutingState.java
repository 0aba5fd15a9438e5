package dev.jetway.gateway.routing;

import dev.jetway.gateway.config.EndpointConfig;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.config.TenantRateLimitSettings;
import dev.jetway.scheduler.flow.TenantRateLimiter;
import dev.jetway.gateway.config.HostPort;
import dev.jetway.gateway.config.PoolConfig;
import dev.jetway.gateway.config.PoolTlsSettings;
import dev.jetway.gateway.security.UpstreamTls;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.gateway.datalayer.MetricsScraper;
import dev.jetway.gateway.kvevents.KvEventIntake;
import dev.jetway.gateway.kvevents.PrecisePlans;
import dev.jetway.gateway.guard.GuardrailDecisions;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.gateway.outlier.OutlierDetectors;
import dev.jetway.gateway.tokenize.PoolTokenizers;
import dev.jetway.gateway.tokenize.RemoteTokenizers;
import dev.jetway.gateway.tokenize.TokenizerChoice;
import dev.jetway.gateway.upstream.UpstreamPools;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import dev.jetway.kvcache.tokenize.Tokenizer;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.SchedulerServices;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import dev.jetway.scheduler.latency.LatencyModel;
import io.micrometer.core.instrument.Tags;
import io.netty.channel.socket.SocketChannel;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live routing table and the endpoint state behind it. {@link #apply} swaps in a new configuration without
 * dropping traffic: endpoints that stay keep their metrics, counters, connections and scrapers; schedulers whose
 * EndpointPickerConfig did not change keep their prefix index; a pool's latency model is kept while its settings
 * stay the same, even when the rest of the pool's EndpointPickerConfig changes ({@link LatencyModels}); requests
 * already running finish on the table they started with.
 */
public final class RoutingState implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RoutingState.class);

    private final GatewayMetrics metrics;
    private final Class<? extends SocketChannel> channelType;
    private final SchedulerEnvironment environment;
    private final HttpClient scrapeClient;
    private final Map<String, GatewayEndpoint> endpoints = new HashMap<>();
    private final Map<String, MetricsScraper> scrapers = new HashMap<>();
    private final Map<String, Scheduler> schedulers = new HashMap<>();
    private final Map<String, EndpointPickerConfig> pickerConfigs = new HashMap<>();
    /** Per pool with {@code tls}: its TLS contexts and the HTTP client that scrapes its endpoints over HTTPS. */
    private final Map<String, PoolTls> poolTls = new HashMap<>();

    private record PoolTls(PoolTlsSettings settings, UpstreamTls tls, HttpClient scrapes) {
    }
    private final Set<String> gaugedPools = new HashSet<>();
    private final KvEventIntake kvEvents;
    private final RemoteTokenizers engineTokenizers = new RemoteTokenizers();
    private final PoolTokenizers poolTokenizers = new PoolTokenizers();
    /** Each pool's routing tokenizer as last logged. */
    private final Map<String, TokenizerChoice> loggedChoices = new HashMap<>();
    private final LatencyModels latencyModels;
    private final FlowControllers flowControllers;
    private final OutlierDetectors outliers;
    private final Set<GatewayEndpoint> gaugedEndpoints = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private volatile RoutingTable table = new RoutingTable(List.of(), 0);
    private volatile GatewayConfig config;
    /** Per-tenant token buckets of {@code tenantRateLimits}; replaced (buckets full again) when the limits change. */
    private volatile TenantRateLimiter tenantLimiter;
    private final Readiness readiness = new Readiness(this::table);

    public RoutingState(GatewayMetrics metrics, Class<? extends SocketChannel> channelType) {
        this.metrics = metrics;
        this.channelType = channelType;
        this.environment = SchedulerEnvironment.system().withTokenizer(SimpleWordTokenizer.instance());
        this.scrapeClient = MetricsScraper.newHttpClient(java.time.Duration.ofSeconds(2));
        this.kvEvents = new KvEventIntake(metrics);
        this.latencyModels = new LatencyModels(metrics);
        metrics.beforeScrape(latencyModels::refreshMetrics);
        metrics.gauge("jetway_engine_tokenizer_cache_bytes", "Memory the engine tokenizers' caches of token ids "
                + "take (bounded by engineTokenizer.cacheBytes each)", io.micrometer.core.instrument.Tags.empty(),
                () -> poolTokenizers.cacheWeight() + engineTokenizers.cacheWeight());
        this.flowControllers = new FlowControllers(metrics);
        this.outliers = new OutlierDetectors(metrics, scrapeClient, System::nanoTime, this::checkBudget);
    }

    /**
     * What a health check of {@code e} may wait: the pool's latency model's predicted TTFT of a one-token request
     * there now times {@code upstream.firstByteTimeoutMargin}, at most {@code firstByteTimeout}; -1 without a model.
     */
    private long checkBudget(String pool, GatewayEndpoint e) {
        LatencyModel model = latencyModels.reportedModel(pool);
        GatewayConfig current = config;
        if (model == null || current == null || current.upstream().firstByteTimeoutMargin() == 0) {
            return -1;
        }
        LatencyModel.Scratch scratch = new LatencyModel.Scratch();
        model.predict(e.endpoint(), System.nanoTime(), 1, 0, scratch);
        double nanos = scratch.ttft * current.upstream().firstByteTimeoutMargin() * 1e9;
        return (long) Math.min(nanos, current.upstream().firstByteTimeout().toNanos());
    }

    /** Every pool's outlier detection and health checks. */
    public OutlierDetectors outliers() {
        return outliers;
    }

    /** The KV-event intake feeding the pools' precise indexes. */
    public KvEventIntake kvEvents() {
        return kvEvents;
    }

    public RoutingTable table() {
        return table;
    }

    /** What {@code /ready} answers. */
    public Readiness readiness() {
        return readiness;
    }

    public GatewayConfig config() {
        return config;
    }

    /** The per-tenant token-rate limiter of {@code tenantRateLimits}, or null when there is none. */
    public TenantRateLimiter tenantLimiter() {
        return tenantLimiter;
    }

    /**
     * Builds the table for {@code next} and swaps it in. Everything that can fail (picker configs) is resolved
     * before anything changes, so a bad file leaves the running configuration untouched.
     */
    public synchronized void apply(GatewayConfig next) {
        Map<String, Scheduler> nextSchedulers = new HashMap<>();
        Map<String, EndpointPickerConfig> nextPickers = new HashMap<>();
        Map<String, Tokenizer> nextTokenizers = new HashMap<>();
        Map<String, TokenizerChoice> nextChoices = new HashMap<>();
        List<String> pickerWarnings = new ArrayList<>();
        Map<String, PoolTls> nextTls = new HashMap<>();
        for (PoolConfig p : next.pools()) {
            if (p.tls() != null) {
                PoolTls running = poolTls.get(p.name());
                nextTls.put(p.name(), running != null && running.settings().equals(p.tls()) ? running
                        : newPoolTls(p, next));
            }
        }
        for (PoolConfig p : next.pools()) {
            EndpointPickerConfig picker = PickerConfigs.resolve(p.endpointPicker(), next.baseDir(), p.name(),
                    p.routesOnKvEvents());
            Scheduler existing = schedulers.get(p.name());
            PoolConfig previous = config == null ? null : config.pools().stream()
                    .filter(q -> q.name().equals(p.name())).findFirst().orElse(null);
            if (existing != null && picker.equals(pickerConfigs.get(p.name())) && previous != null
                    && previous.kvBlockSize().equals(p.kvBlockSize())) {
                nextSchedulers.put(p.name(), existing);
            } else {
                // a precise producer gets the pool's index from the KV-event intake, a latency producer the pool's
                // model: both kept across reloads
                Scheduler scheduler = Scheduler.fromConfig(picker, environment.withServices(new SchedulerServices(
                        kvEvents.indexesFor(p.name(), p.kvBlockSize()), engineTokenizers,
                        latencyModels.forPool(p.name()))));
                scheduler.setPluginTimer(metrics::pluginDuration);
                // logged once the configuration is active, once per (re)built scheduler: an unchanged config
                // keeps its scheduler and is not logged again
                for (var warning : scheduler.warnings()) {
                    String from = picker.source().startsWith("pool ") ? picker.source()
                            : "pool " + p.name() + " endpointPicker " + picker.source();
                    pickerWarnings.add(from + ": " + warning);
                }
                nextSchedulers.put(p.name(), scheduler);
            }
            nextPickers.put(p.name(), picker);
            TokenizerChoice choice = TokenizerChoice.of(p,
                    PrecisePlans.matchesKvEvents(nextSchedulers.get(p.name())));
            nextChoices.put(p.name(), choice);
            PoolTls tls = nextTls.get(p.name());
            Tokenizer poolTokenizer = poolTokenizers.of(p, choice, next.baseDir(), tls == null ? null : tls.scrapes());
            if (poolTokenizer != null) {
                nextTokenizers.put(p.name(), poolTokenizer);
            }
        }
        boolean upstreamChanged = config != null && !config.upstream().equals(next.upstream());
        boolean dataLayerChanged = config != null && !config.dataLayer().equals(next.dataLayer());

        Map<String, GatewayEndpoint> keep = new HashMap<>();
        Map<String, List<GatewayEndpoint>> membersByPool = new HashMap<>();
        List<GatewayPool> pools = new ArrayList<>();
        for (PoolConfig p : next.pools()) {
            List<GatewayEndpoint> members = new ArrayList<>();
            for (EndpointConfig e : p.endpoints()) {
                String key = p.name() + '|' + e.address();
                GatewayEndpoint ge = endpoints.get(key);
                PoolTls tls = nextTls.get(p.name());
                boolean tlsChanged = tls != poolTls.get(p.name());
                if (ge == null || !ge.config().equals(e) || !ge.engineSetting().equals(p.engine()) || upstreamChanged
                        || dataLayerChanged || tlsChanged) {
                    ge = new GatewayEndpoint(e, p.engine(), next.dataLayer().unreadyAfterFailures(),
                            new UpstreamPools(HostPort.parse(e.address()), channelType, next.upstream(),
                                    tls == null ? null : tls.tls()));
                }
                keep.put(key, ge);
                members.add(ge);
            }
            PoolTls checksTls = nextTls.get(p.name());
            outliers.prepare(p, members, checksTls == null ? scrapeClient : checksTls.scrapes(),
                    checksTls == null ? "http" : "https");
            membersByPool.put(p.name(), members);
            // no tokenizer = the scheduler's token producer estimates (tokenizer: estimate)
            Scheduler scheduler = nextSchedulers.get(p.name());
            pools.add(new GatewayPool(p, members, scheduler, nextChoices.get(p.name()), nextTokenizers.get(p.name()),
                    flowControllers.forPool(p.name(), scheduler)));
        }

        // start scrapers of new endpoints before the swap, stop those of removed ones after it
        Map<String, MetricsScraper> started = new HashMap<>();
        for (var entry : keep.entrySet()) {
            if (endpoints.get(entry.getKey()) != entry.getValue()) {
                PoolTls tls = nextTls.get(poolOf(entry.getKey()));
                started.put(entry.getKey(), new MetricsScraper(entry.getValue(), next.dataLayer(),
                        tls == null ? scrapeClient : tls.scrapes(), metrics, System::nanoTime,
                        tls == null ? "http" : "https").start());
            }
        }
        RoutingTable nextTable = new RoutingTable(pools, table.generation() + 1);
        table = nextTable;
        for (var entry : new HashMap<>(endpoints).entrySet()) {
            if (keep.get(entry.getKey()) != entry.getValue()) {
                MetricsScraper s = scrapers.remove(entry.getKey());
                if (s != null) {
                    s.close();
                }
                entry.getValue().pools().close();
                gaugedEndpoints.remove(entry.getValue());
                metrics.removeGauges(Tags.of("model_server_endpoint", entry.getValue().address().toString(),
                        "name", poolOf(entry.getKey())));
            }
        }
        scrapers.putAll(started);
        endpoints.clear();
        endpoints.putAll(keep);
        schedulers.clear();
        schedulers.putAll(nextSchedulers);
        pickerConfigs.clear();
        pickerConfigs.putAll(nextPickers);
        for (var e : poolTls.entrySet()) {
            if (nextTls.get(e.getKey()) != e.getValue()) {
                e.getValue().scrapes().close(); // its scrapers were stopped with its endpoints above
            }
        }
        poolTls.clear();
        poolTls.putAll(nextTls);
        registerGauges(nextTable);
        outliers.retain(OutlierDetectors.addresses(membersByPool));
        latencyModels.sync(nextTable);
        flowControllers.sync(nextTable);
        kvEvents.sync(PrecisePlans.of(pools));
        TenantRateLimitSettings limits = next.tenantRateLimits();
        if (limits == null) {
            tenantLimiter = null;
        } else if (tenantLimiter == null || !tenantLimiter.settings().equals(limits.toLimit())) {
            tenantLimiter = new TenantRateLimiter(limits.toLimit());
        }
        config = next;
        registerConfiguredSeries(next);
        log.info("configuration generation {} active: {} pool(s), {} endpoint(s)", nextTable.generation(),
                pools.size(), keep.size());
        pickerWarnings.forEach(log::warn);
        logTokenizerChoices(nextChoices);
    }

    /**
     * The series of the configured models and guardrails, at zero, so that {@code rate()} and {@code absent()} alerts
     * on them work from the first scrape (a model known only from an endpoint's /v1/models gets them at its first
     * request).
     */
    private void registerConfiguredSeries(GatewayConfig next) {
        for (PoolConfig p : next.pools()) {
            p.models().forEach(metrics::modelConfigured);
        }
        for (GuardrailDecisions.Decision d : GuardrailDecisions.possible(next.guardrails())) {
            metrics.guardrailConfigured(d.rule(), d.outcome());
        }
    }

    /** Logs each pool's routing tokenizer when it is new or changed (a reload that keeps it says nothing). */
    private void logTokenizerChoices(Map<String, TokenizerChoice> choices) {
        loggedChoices.keySet().retainAll(choices.keySet());
        choices.forEach((pool, choice) -> {
            if (!choice.equals(loggedChoices.put(pool, choice))) {
                log.info("pool {}: routing tokenizer {}", pool, choice.describe());
            }
        });
    }

    private PoolTls newPoolTls(PoolConfig p, GatewayConfig next) {
        UpstreamTls tls = UpstreamTls.of(p.tls(), next.baseDir(), p.name());
        HttpClient scrapes = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(java.time.Duration.ofSeconds(2)).sslContext(tls.jdk()).build();
        return new PoolTls(p.tls(), tls, scrapes);
    }

    private static String poolOf(String key) {
        return key.substring(0, key.indexOf('|'));
    }

    private void registerGauges(RoutingTable t) {
        Set<String> names = new HashSet<>();
        for (GatewayPool p : t.pools()) {
            names.add(p.name());
            if (gaugedPools.add(p.name())) {
                String name = p.name();
                Tags tags = Tags.of("name", name);
                metrics.gauge("llm_d_epp_pool_average_kv_cache_utilization",
                        "Average KV-cache utilization of the pool's ready endpoints", tags,
                        () -> average(name, e -> e.endpoint().metrics().kvCacheUsage()));
                metrics.gauge("llm_d_epp_pool_average_queue_size", "Average waiting requests per ready endpoint", tags,
                        () -> average(name, e -> e.endpoint().metrics().waitingRequests()));
                metrics.gauge("llm_d_epp_pool_average_running_requests", "Average running requests per ready endpoint",
                        tags, () -> average(name, e -> e.endpoint().metrics().runningRequests()));
                metrics.gauge("llm_d_epp_pool_ready_endpoints", "Endpoints in rotation", tags, () -> {
                    GatewayPool cur = pool(name);
                    return cur == null ? 0 : cur.readyCount();
                });
            }
            for (GatewayEndpoint e : p.endpoints()) {
                if (!gaugedEndpoints.add(e)) {
                    continue; // registered by an earlier generation: its gauges already read this object
                }
                Tags tags = Tags.of("name", p.name(), "model_server_endpoint", e.address().toString());
                metrics.gauge("llm_d_epp_pool_per_endpoint_queue_size", "Waiting requests per endpoint", tags,
                        () -> e.endpoint().metrics().waitingRequests());
                metrics.gauge("jetway_endpoint_ready", "1 when the endpoint is in rotation", tags,
                        () -> e.ready() ? 1 : 0);
                metrics.gauge("jetway_endpoint_in_flight_requests", "Requests this gateway has in flight there", tags,
                        () -> e.endpoint().ownInFlight().requests());
            }
        }
        for (String gone : new HashSet<>(gaugedPools)) {
            if (!names.contains(gone)) {
                gaugedPools.remove(gone);
                metrics.removeGauges(Tags.of("name", gone));
            }
        }
    }

    private GatewayPool pool(String name) {
        for (GatewayPool p : table.pools()) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    private double average(String poolName, ToDoubleFunction<GatewayEndpoint> f) {
        GatewayPool p = pool(poolName);
        if (p == null) {
            return 0;
        }
        double sum = 0;
        int n = 0;
        for (GatewayEndpoint e : p.endpoints()) {
            if (e.ready()) {
                sum += f.applyAsDouble(e);
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    @Override
    public synchronized void close() {
        flowControllers.close();
        outliers.close();
        scrapers.values().forEach(MetricsScraper::close);
        scrapers.clear();
        endpoints.values().forEach(e -> e.pools().close());
        endpoints.clear();
        scrapeClient.close();
        poolTls.values().forEach(t -> t.scrapes().close());
        poolTls.clear();
        kvEvents.close();
        engineTokenizers.close();
        poolTokenizers.close();
    }

    /** The latency model of a pool whose EndpointPickerConfig predicts latency (its first producer's), or null. */
    public LatencyModel latencyModel(String pool) {
        return latencyModels.reportedModel(pool);
    }

    /** Every latency model kept for a pool (tests). */
    java.util.Collection<LatencyModel> keptLatencyModels(String pool) {
        return latencyModels.models(pool);
    }

    /** The precise prefix index of a pool that routes with KV events, or null. */
    public PrecisePrefixIndex preciseIndex(String pool) {
        return kvEvents.index(pool);
    }
}
