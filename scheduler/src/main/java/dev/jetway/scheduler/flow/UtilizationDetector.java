package dev.jetway.scheduler.flow;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.EndpointMetrics;
import dev.jetway.scheduler.MetricsSample;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.Filter;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code utilization-detector} (llm-d's default): an endpoint's score is
 * {@code max(waiting / queueDepthThreshold, kvUsage / kvCacheUtilThreshold)} and the pool's saturation the
 * unweighted average; defaults 5, 0.8, staleness 200 ms, headroom 0 as in llm-d.
 *
 * <p><b>Stale metrics never stall dispatch.</b> llm-d scores an endpoint whose metrics are older than
 * {@code metricsStalenessThreshold} as 1.0, so one late scrape holds every band (llm-d-router #2100: 40 ms direct,
 * 9.7 s through the router). Jetway instead estimates each endpoint from its last scrape and this gateway's own
 * counters, which never go stale:
 * <ul>
 *   <li>waiting ≈ the larger of two estimates, at least 0:
 *     <ul>
 *       <li>the scraped waiting count + (this gateway's in-flight requests on it now − when that scrape arrived):
 *           requests sent since the scrape are assumed to wait, each completion since lets one waiting request
 *           start;</li>
 *       <li>this gateway's in-flight requests on it now − the scraped running count: whatever the gateway has there
 *           and the engine did not report running waits. vLLM makes its gauges at the end of each step, and a
 *           request that arrives during a step is in no gauge until the next one is scheduled, so a scrape can be a
 *           whole (long, prefill-heavy) step old and miss everything sent since that step began; the first estimate
 *           then forgets those requests at every scrape, the second does not, as it needs no age of the data. The
 *           first still counts traffic that reaches the engine past this gateway.</li>
 *     </ul>
 *       Applied to fresh endpoints too, since a scrape is always a past state.</li>
 *   <li>KV usage ≈ the scraped value.</li>
 *   <li>An endpoint never scraped counts all of this gateway's requests on it as waiting, and an empty cache.</li>
 *   <li>When <em>every</em> endpoint is stale the detector fails open: KV readings (which nothing here can correct)
 *       and never-scraped endpoints no longer count against the pool; only the waiting estimate does, so dispatch
 *       goes on at the rate requests complete. {@link PoolLoad#failedOpen()} says so, for the host's warning and
 *       gauge.</li>
 * </ul>
 * Requests dispatched but not yet on an endpoint add {@code 1 / (endpoints × queueDepthThreshold)} each.
 *
 * <p>As a scheduling filter (when a profile lists it, as llm-d allows) it keeps endpoints whose estimated waiting
 * count is below {@code queueDepthThreshold × (1 + headroom)} and KV usage below
 * {@code kvCacheUtilThreshold × (1 + headroom)}, or all of them when none is.
 */
public final class UtilizationDetector implements SaturationDetector, Filter {

    public static final String TYPE = "utilization-detector";

    /** Validated parameters; defaults are llm-d's. */
    public record Params(int queueDepthThreshold, double kvCacheUtilThreshold, Duration metricsStalenessThreshold,
                         double headroom) {

        public static final Params DEFAULT = new Params(5, 0.8, Duration.ofMillis(200), 0.0);

        public Params {
            if (queueDepthThreshold <= 0) {
                throw new IllegalArgumentException("queueDepthThreshold must be positive");
            }
            if (!(kvCacheUtilThreshold > 0 && kvCacheUtilThreshold <= 1)) {
                throw new IllegalArgumentException("kvCacheUtilThreshold must be in (0, 1]");
            }
            if (metricsStalenessThreshold.isNegative() || metricsStalenessThreshold.isZero()) {
                throw new IllegalArgumentException("metricsStalenessThreshold must be positive");
            }
            if (!(headroom >= 0)) {
                throw new IllegalArgumentException("headroom must not be negative");
            }
        }
    }

    private final String name;
    private final Params params;
    private final long stalenessNanos;

    public UtilizationDetector(String name, Params params) {
        this.name = name;
        this.params = params;
        this.stalenessNanos = params.metricsStalenessThreshold().toNanos();
    }

    public static UtilizationDetector create(String name, PluginParameters p) {
        Params d = Params.DEFAULT;
        int queue = p.integer("queueDepthThreshold", d.queueDepthThreshold(), 1, Integer.MAX_VALUE);
        double kv = p.number("kvCacheUtilThreshold", d.kvCacheUtilThreshold());
        if (!(kv > 0 && kv <= 1)) {
            throw p.error("kvCacheUtilThreshold", "must be in (0, 1], got " + kv);
        }
        Duration staleness = p.duration("metricsStalenessThreshold", d.metricsStalenessThreshold());
        if (staleness.isNegative() || staleness.isZero()) {
            throw p.error("metricsStalenessThreshold", "must be positive, got " + staleness);
        }
        double headroom = p.number("headroom", d.headroom(), 0, Double.MAX_VALUE);
        // llm-d's scrape-lag compensation reads an inflight-load-producer; Jetway's reads the endpoints' own counters
        p.accept("inFlightLoadProducerName");
        return new UtilizationDetector(name, new Params(queue, kv, staleness, headroom));
    }

    public Params params() {
        return params;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describeParameters() {
        return String.format(Locale.ROOT, "queueDepthThreshold=%d, kvCacheUtilThreshold=%s, "
                        + "metricsStalenessThreshold=%dms, headroom=%s; stale endpoints estimated from in-flight "
                        + "counts, fails open when all are stale", params.queueDepthThreshold(),
                params.kvCacheUtilThreshold(), params.metricsStalenessThreshold().toMillis(), params.headroom());
    }

    @Override
    public PoolLoad measure(List<Endpoint> endpoints, long nowNanos) {
        int n = endpoints.size();
        if (n == 0) {
            return PoolLoad.EMPTY;
        }
        int stale = 0;
        for (int i = 0; i < n; i++) {
            if (stale(endpoints.get(i).metricsSample(), nowNanos)) {
                stale++;
            }
        }
        boolean failOpen = stale == n;
        double q = params.queueDepthThreshold();
        double kvLimit = params.kvCacheUtilThreshold();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            Endpoint e = endpoints.get(i);
            MetricsSample s = e.metricsSample();
            if (failOpen && s.never()) {
                continue;
            }
            double waiting = waiting(e, s) / q;
            sum += failOpen ? waiting : Math.max(waiting, s.scraped().kvCacheUsage() / kvLimit);
        }
        return new PoolLoad(sum / n, 1.0 / (n * q), 0, n, stale, failOpen);
    }

    /** The endpoint's waiting queue as estimated from its last scrape and this gateway's counters. */
    static double waiting(Endpoint e, MetricsSample s) {
        long inFlight = e.inFlightRequests();
        long sinceScrape = s.scraped().waitingRequests() + inFlight - s.inFlightRequests();
        long notRunning = inFlight - s.scraped().runningRequests();
        return Math.max(0, Math.max(sinceScrape, notRunning));
    }

    private boolean stale(MetricsSample s, long nowNanos) {
        EndpointMetrics m = s.scraped();
        return m.isStale(nowNanos, stalenessNanos);
    }

    @Override
    public void filter(SchedulingContext context, Candidates candidates) {
        double queueLimit = params.queueDepthThreshold() * (1 + params.headroom());
        double kvLimit = params.kvCacheUtilThreshold() * (1 + params.headroom());
        boolean any = false;
        for (int i = 0; i < candidates.size() && !any; i++) {
            any = fits(candidates.get(i), queueLimit, kvLimit);
        }
        if (any) {
            candidates.retainIf(e -> fits(e, queueLimit, kvLimit));
        }
    }

    private static boolean fits(Endpoint e, double queueLimit, double kvLimit) {
        MetricsSample s = e.metricsSample();
        return waiting(e, s) < queueLimit && s.scraped().kvCacheUsage() < kvLimit;
    }
}
