package dev.jetway.gateway.datalayer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.gateway.config.DataLayerSettings;
import dev.jetway.gateway.datalayer.engines.EngineAdapter;
import dev.jetway.gateway.datalayer.engines.EngineAdapters;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.scheduler.EndpointMetrics;
import dev.jetway.scheduler.LoraInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one endpoint's state fresh from its own virtual thread: scrapes {@code /metrics} every interval and reads it
 * with the endpoint's engine adapter (the pool's {@code engine}, or with {@code auto} the engine recognised from the
 * page), reads the engine's status page where its metrics lack a signal (llama.cpp's {@code /slots}, TGI's
 * {@code /info}), reads {@code /v1/models} now and then, marks stale metrics as saturated, and takes the endpoint out
 * of rotation after N consecutive failures. Never touches the data path's threads.
 */
public final class MetricsScraper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetricsScraper.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What an unrecognised page is read as: vLLM's names, Jetway's historic default (the simulator exports them). */
    private static final EngineAdapter VLLM_NAMES = EngineAdapters.named("vllm");

    /** Queue length reported for an endpoint whose metrics are stale: large enough that queue scorers avoid it. */
    static final int SATURATED_QUEUE = 1_000_000;

    private final GatewayEndpoint target;
    private final DataLayerSettings settings;
    private final HttpClient http;
    private final GatewayMetrics metrics;
    private final LongSupplier clock;
    private final String base;
    private final URI modelsUri;
    private volatile boolean running = true;
    private final Thread thread;
    private long nextModelsRead = Long.MIN_VALUE;
    /** The adapter in use; null while {@code engine: auto} has not recognised the page. */
    private EngineAdapter adapter;
    private boolean warnedUnrecognised;
    private JsonNode status;
    private long nextStatusRead = Long.MIN_VALUE;
    private String statusProblem;

    public MetricsScraper(GatewayEndpoint target, DataLayerSettings settings, HttpClient http, GatewayMetrics metrics,
                          LongSupplier clock) {
        this(target, settings, http, metrics, clock, "http");
    }

    /** @param scheme {@code https} for an endpoint of a pool with {@code tls} ({@code http} configured for it) */
    public MetricsScraper(GatewayEndpoint target, DataLayerSettings settings, HttpClient http, GatewayMetrics metrics,
                          LongSupplier clock, String scheme) {
        this.target = target;
        this.settings = settings;
        this.http = http;
        this.metrics = metrics;
        this.clock = clock;
        this.base = scheme + "://" + target.address();
        this.modelsUri = URI.create(base + "/v1/models");
        this.adapter = EngineAdapters.named(target.engineSetting());
        this.thread = Thread.ofVirtual().name("scrape-" + target.address()).unstarted(this::loop);
        metrics.scraping(target.address().toString()); // its failed-scrape counter at zero, for rate() alerts
    }

    public MetricsScraper start() {
        thread.start();
        return this;
    }

    private void loop() {
        long interval = settings.scrapeInterval().toNanos();
        long next = clock.getAsLong();
        while (running) {
            scrapeOnce();
            next += interval;
            long now = clock.getAsLong();
            if (next < now) {
                next = now; // fell behind (slow server): do not burst to catch up
            }
            LockSupport.parkNanos(next - now);
        }
    }

    /** One scrape (and a models read when due); public for tests that drive time themselves. */
    public void scrapeOnce() {
        long started = clock.getAsLong();
        URI metricsUri = metricsUri();
        try {
            HttpResponse<String> resp = http.send(get(metricsUri), HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) {
                failed("HTTP " + resp.statusCode() + " from " + metricsUri, false);
            } else {
                EngineAdapter reader = readerFor(resp.body());
                readStatus(reader, started);
                ScrapedMetrics m = reader.read(PrometheusTextParser.parse(resp.body(), reader.seriesNames()), status);
                target.endpoint().updateMetrics(toSnapshot(m, started, target.tokenUnits()));
                target.lastScrapeNanos(started);
                if (target.health().recordSuccess()) {
                    log.info("endpoint {} is ready again", target.address());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return;
        } catch (Exception e) {
            failed(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                    e instanceof java.net.ConnectException || e instanceof java.net.http.HttpConnectTimeoutException);
        }
        markStaleAsSaturated(clock.getAsLong());
        if (running && started >= nextModelsRead && target.ready()) {
            readModels();
            nextModelsRead = started + settings.modelsRefreshInterval().toNanos();
        }
    }

    private URI metricsUri() {
        String path = settings.metricsPath() != null ? settings.metricsPath()
                : adapter != null ? adapter.metricsPath() : "/metrics";
        return URI.create(base + path);
    }

    /** The adapter to read this page with; with {@code auto}, recognises the engine first (once, then kept). */
    private EngineAdapter readerFor(String page) {
        if (adapter != null) {
            return adapter;
        }
        EngineAdapter found = EngineAdapters.detect(page);
        if (found != null) {
            adapter = found;
            target.engine(found.name() + " (recognised)");
            log.info("endpoint {} runs {} (recognised from its metrics page)", target.address(), found.name());
            return found;
        }
        if (!warnedUnrecognised) {
            warnedUnrecognised = true;
            target.engine("not recognised: no series of " + String.join(", ", EngineAdapters.names().subList(0,
                    EngineAdapters.names().size() - 1)) + " on its page");
            log.warn("endpoint {}: its metrics page has no series of a known engine, so Jetway routes to it blind "
                    + "to its queue and KV cache (set the pool's engine, or dataLayer.metricsPath)", target.address());
        }
        return VLLM_NAMES;
    }

    /** Reads the engine's status page when it has one and it is due; a failure leaves the signal unknown. */
    private void readStatus(EngineAdapter reader, long now) {
        EngineAdapter.StatusPage page = reader.statusPage();
        if (page == null || (!page.everyScrape() && now < nextStatusRead)) {
            return;
        }
        nextStatusRead = now + settings.modelsRefreshInterval().toNanos();
        String problem;
        try {
            HttpResponse<String> resp = http.send(get(URI.create(base + page.path())),
                    HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() == 200) {
                status = JSON.readTree(resp.body());
                problem = null;
            } else {
                status = null;
                problem = "HTTP " + resp.statusCode();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return;
        } catch (Exception e) {
            status = null;
            problem = e.getClass().getSimpleName();
        }
        if (problem != null && !problem.equals(statusProblem)) {
            log.info("endpoint {}: {} {} answered {}; the signals it gives ({}) are unknown until it answers",
                    target.address(), reader.name(), page.path(), problem, "KV usage and capacity");
        }
        statusProblem = problem;
    }

    private void failed(String error, boolean refused) {
        metrics.pollError(target.address().toString());
        if (target.health().recordFailure(error, refused)) {
            log.warn("endpoint {} is unready after {} failed scrapes: {}", target.address(),
                    target.health().consecutiveFailures(), error);
        } else {
            log.debug("scrape of {} failed: {}", target.address(), error);
        }
    }

    /** Stale metrics must not look like an idle server: keep the last update time, report it full. */
    void markStaleAsSaturated(long now) {
        EndpointMetrics m = target.endpoint().metrics();
        long last = target.lastScrapeNanos();
        boolean stale = last == Long.MIN_VALUE || now - last > settings.stalenessThreshold().toNanos();
        if (stale && m.updateTimeNanos() != Long.MIN_VALUE && m.kvCacheUsage() < 1.0) {
            target.endpoint().showMetrics(new EndpointMetrics(Math.max(m.waitingRequests(), SATURATED_QUEUE),
                    m.runningRequests(), 1.0, m.cacheBlockSize(), m.cacheNumBlocks(), m.lora(), m.updateTimeNanos()));
        }
    }

    private void readModels() {
        try {
            HttpResponse<String> resp = http.send(get(modelsUri), HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() == 200) {
                JsonNode data = JSON.readTree(resp.body()).path("data");
                List<String> ids = new ArrayList<>();
                for (JsonNode model : data) {
                    if (model.path("id").isTextual()) {
                        ids.add(model.path("id").asText());
                    }
                }
                target.servedModels(ids);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } catch (Exception e) {
            log.debug("reading models of {} failed: {}", target.address(), e.toString());
        }
    }

    private HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(settings.scrapeTimeout()).GET().build();
    }

    /**
     * The scheduler's view of a scrape. The KV capacity is counted in routing tokens ({@link TokenUnits}): the block
     * count scaled by routing tokens per engine token, so a prefix index and the latency model compare it with the
     * prompts they count.
     */
    static EndpointMetrics toSnapshot(ScrapedMetrics m, long nanos, TokenUnits units) {
        LoraInfo lora = m.maxLora() < 0 && m.runningLoras().isEmpty() && m.waitingLoras().isEmpty()
                ? LoraInfo.NONE
                : new LoraInfo(Math.max(0, m.maxLora()), new HashSet<>(m.runningLoras()), new HashSet<>(m.waitingLoras()));
        return new EndpointMetrics(Math.max(0, m.waiting()), Math.max(0, m.running()),
                Double.isNaN(m.kvCacheUsage()) ? 0.0 : m.kvCacheUsage(), Math.max(0, m.blockSize()),
                units.toRouting(Math.max(0, m.numGpuBlocks())), lora, nanos);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }

    /** A shared HTTP/1.1 client for all scrapers. */
    public static HttpClient newHttpClient(Duration connectTimeout) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
    }
}
