package dev.jetway.gateway.routing;

import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.flow.FlowControlConfig;
import dev.jetway.scheduler.flow.FlowController;
import dev.jetway.scheduler.flow.FlowSnapshot;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each pool's {@link FlowController}, held by the gateway across config reloads so that waiting requests survive
 * them: a pool whose EndpointPickerConfig turns the {@code flowControl} feature gate on gets one, a reload hands it the
 * new settings ({@link FlowController#reconfigure}), and a pool that drops the gate or leaves the configuration shuts
 * its controller down (what still waits gets 503 {@code rejected-shutting-down}).
 *
 * <p>Dispatch runs on every submission and every completion (the request path does that); a ticker adds a cycle every
 * {@value #TICK_MILLIS} ms for pools with waiting requests, so that TTLs expire on time and room that a metrics scrape
 * reveals is used. It also exports the controllers' state under llm-d's metric names, refreshed before each scrape.
 */
final class FlowControllers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FlowControllers.class);
    /** The dispatch tick: a fraction of llm-d's 50 ms scrape interval, and the resolution of queue TTLs. */
    static final long TICK_MILLIS = 10;
    /** How often a pool that fails open is reported in the log. */
    private static final long FAIL_OPEN_LOG_NANOS = Duration.ofSeconds(30).toNanos();

    static final String QUEUE_SIZE = "llm_d_epp_flow_control_queue_size";
    static final String QUEUE_BYTES = "llm_d_epp_flow_control_queue_bytes";

    private final GatewayMetrics metrics;
    private final Map<String, FlowController> byPool = new HashMap<>();
    private final ScheduledExecutorService ticker;
    private volatile RoutingTable table = new RoutingTable(List.of(), 0);
    private final Map<String, Long> failOpenLogged = new HashMap<>();
    private Set<Tags> queueSeries = Set.of();
    /** Ticks so far (the ticker thread's own). */
    private long ticks;
    /** Every second, the ticker looks whether a pool fails open, to say so in the log. */
    private static final long FAIL_OPEN_CHECK_TICKS = 1000 / TICK_MILLIS;

    FlowControllers(GatewayMetrics metrics) {
        this.metrics = metrics;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jetway-flow-tick");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        metrics.beforeScrape(this::refreshMetrics);
    }

    /** The controller the pool named {@code pool} gets from a scheduler built for it (null: no flow control). */
    synchronized FlowController forPool(String pool, Scheduler scheduler) {
        FlowControlConfig config = scheduler.flowControl();
        FlowController existing = byPool.get(pool);
        if (!config.enabled()) {
            return null;
        }
        if (existing == null) {
            FlowController created = new FlowController(config);
            byPool.put(pool, created);
            log.info("pool {}: flow control on: {}", pool, config.describe());
            return created;
        }
        if (!existing.config().equals(config)) {
            existing.reconfigure(config);
            log.info("pool {}: flow control reconfigured: {}", pool, config.describe());
        }
        return existing;
    }

    /** After {@code next} went live: shuts down the controllers no pool uses any more. */
    synchronized void sync(RoutingTable next) {
        Set<String> used = new HashSet<>();
        for (GatewayPool p : next.pools()) {
            if (p.flowController() != null) {
                used.add(p.name());
            }
        }
        for (var it = byPool.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!used.contains(e.getKey())) {
                it.remove();
                e.getValue().shutdown(System.nanoTime());
                metrics.removeGauges(Tags.of("inference_pool", e.getKey()));
                log.info("pool {}: flow control off", e.getKey());
            }
        }
        table = next;
    }

    private void tick() {
        try {
            long now = System.nanoTime();
            boolean checkFailOpen = ++ticks % FAIL_OPEN_CHECK_TICKS == 0;
            for (GatewayPool p : table.pools()) {
                FlowController fc = p.flowController();
                if (fc == null) {
                    continue;
                }
                if (fc.hasQueued()) {
                    fc.dispatch(p.readyCandidates(), now);
                } else if (checkFailOpen) {
                    fc.refresh(p.readyCandidates(), now); // the gauges of an idle pool follow its endpoints
                }
                if (checkFailOpen) {
                    logFailOpen(p.name(), fc.snapshot(), now);
                }
            }
        } catch (RuntimeException e) {
            log.error("flow control dispatch tick failed", e);
        }
    }

    /** Queue size and bytes per band and flow, pool saturation, stale endpoints, failing open. */
    private synchronized void refreshMetrics() {
        Map<Tags, long[]> queues = new HashMap<>();
        for (GatewayPool p : table.pools()) {
            FlowController fc = p.flowController();
            if (fc == null) {
                continue;
            }
            FlowSnapshot s = fc.snapshot();
            Tags pool = Tags.of("inference_pool", p.name());
            metrics.gaugeValue("llm_d_epp_flow_control_pool_saturation",
                    "The pool's saturation as flow control measures it (1 = at its limit)", pool, s.poolSaturation());
            metrics.gaugeValue("llm_d_epp_flow_control_stale_endpoints",
                    "Endpoints whose metrics are older than the detector's staleness threshold", pool,
                    s.staleEndpoints());
            metrics.gaugeValue("jetway_flow_control_failed_open",
                    "1 while every endpoint's metrics are stale and dispatch runs on the gateway's own counters", pool,
                    s.failedOpen() ? 1 : 0);
            metrics.gaugeValue("jetway_flow_control_in_transit_requests",
                    "Requests dispatched by flow control and not yet charged to an endpoint", pool,
                    s.inTransitRequests());
            for (FlowSnapshot.BandStats band : s.bands()) {
                for (FlowSnapshot.FlowStats flow : band.flows()) {
                    // capped fairness ids share the label "other": their queues add up
                    long[] sum = queues.computeIfAbsent(pool.and("fairness_id",
                            metrics.fairnessLabel(flow.fairnessId()), "priority", Integer.toString(band.priority())),
                            t -> new long[2]);
                    sum[0] += flow.requests();
                    sum[1] += flow.bytes();
                }
            }
        }
        for (var e : queues.entrySet()) {
            metrics.gaugeValue(QUEUE_SIZE, "Requests waiting in flow control", e.getKey(), e.getValue()[0]);
            metrics.gaugeValue(QUEUE_BYTES, "Bytes of the requests waiting in flow control", e.getKey(),
                    e.getValue()[1]);
        }
        for (Tags gone : queueSeries) {
            if (!queues.containsKey(gone)) {
                metrics.removeGaugeValue(QUEUE_SIZE, gone);
                metrics.removeGaugeValue(QUEUE_BYTES, gone);
            }
        }
        queueSeries = Set.copyOf(queues.keySet());
    }

    private synchronized void logFailOpen(String pool, FlowSnapshot s, long now) {
        if (!s.failedOpen()) {
            failOpenLogged.remove(pool);
            return;
        }
        Long last = failOpenLogged.get(pool);
        if (last == null || now - last > FAIL_OPEN_LOG_NANOS) {
            failOpenLogged.put(pool, now);
            log.warn("pool {}: the metrics of all {} endpoints are stale; flow control dispatches on the gateway's "
                    + "own in-flight counters (fail open) until scrapes succeed again", pool, s.staleEndpoints());
        }
    }

    /** Shuts every controller down: what still waits gets 503 {@code rejected-shutting-down}. */
    @Override
    public synchronized void close() {
        ticker.shutdownNow();
        long now = System.nanoTime();
        byPool.values().forEach(fc -> fc.shutdown(now));
        byPool.clear();
    }
}
