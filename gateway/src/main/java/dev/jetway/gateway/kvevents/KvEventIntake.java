package dev.jetway.gateway.kvevents;

import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.kvcache.index.precise.EndpointStats;
import dev.jetway.kvcache.index.precise.PreciseIndexConfig;
import dev.jetway.kvcache.index.precise.ParityReport;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.scheduler.plugins.producer.PrecisePrefixCacheProducer;
import dev.jetway.scheduler.spi.PreciseIndexProvider;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;

/**
 * The gateway's KV-event intake: per pool that routes with {@code precise-prefix-cache-producer}, the precise index
 * (kept across config reloads while its settings stay the same) and one {@link KvEventSubscriber} per endpoint,
 * following the configuration as endpoints come and go ({@link #sync}). A housekeeping thread expires speculative
 * entries, judges the hash-parity check and raises the {@link ParityAlarm}. Exports the intake's metrics.
 */
public final class KvEventIntake implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KvEventIntake.class);
    private static final long HOUSEKEEPING_MILLIS = 250;

    /** A subscription the plans ask for: the pool's plan and the endpoint to subscribe to. */
    private record Wanted(PrecisePoolPlan plan, PreciseTarget target) {
    }

    /** One pool's live state; meters read it when scraped. */
    private static final class PoolState {
        final String pool;
        final ParityAlarm alarm;
        final SilenceAlarm silence;
        final List<Meter> meters = new ArrayList<>();
        volatile PrecisePrefixCacheProducer producer;
        volatile String tokenizer;
        volatile List<KvEventSubscriber> subscribers = List.of();

        PoolState(String pool) {
            this.pool = pool;
            this.alarm = new ParityAlarm(pool);
            this.silence = new SilenceAlarm(pool);
        }

        PrecisePrefixIndex index() {
            return producer.index();
        }

        long sumEndpoints(ToLongFunction<EndpointStats> f) {
            long sum = 0;
            for (EndpointStats s : index().endpointStats()) {
                sum += f.applyAsLong(s);
            }
            return sum;
        }

        /** The publisher address the pool subscribes to for {@code endpoint}, or null. */
        String publisherOf(String endpoint) {
            for (KvEventSubscriber s : subscribers) {
                if (s.endpoint().equals(endpoint)) {
                    return s.publisher();
                }
            }
            return null;
        }

        long sumSubscribers(ToLongFunction<KvEventSubscriber> f) {
            long sum = 0;
            for (KvEventSubscriber s : subscribers) {
                sum += f.applyAsLong(s);
            }
            return sum;
        }
    }

    private final GatewayMetrics metrics;
    private final ZContext zmq = ZmqContexts.create(1);
    private final Map<String, PrecisePrefixIndex> indexes = new ConcurrentHashMap<>();
    private final Map<String, KvEventSubscriber> subscribers = new HashMap<>();
    private final Map<String, PoolState> pools = new ConcurrentHashMap<>();
    private final ScheduledExecutorService housekeeping;

    public KvEventIntake(GatewayMetrics metrics) {
        this.metrics = metrics;
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon(true).name("jetway-kv-index-housekeeping").factory());
        housekeeping.scheduleWithFixedDelay(this::housekeep, HOUSEKEEPING_MILLIS, HOUSEKEEPING_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /**
     * The index provider for a pool's scheduler environment: the pool's current index when its settings are the
     * same (a reload keeps what the engines reported), else a fresh one. {@code defaultBlockSize} (the pool's
     * {@code kvBlockSize}) applies when the producer sets no {@code tokenProcessorConfig.blockSize}.
     */
    public PreciseIndexProvider indexesFor(String pool, int defaultBlockSize) {
        return new PreciseIndexProvider() {
            @Override
            public PrecisePrefixIndex index(PreciseIndexConfig config) {
                return indexes.compute(pool, (name, current) -> current != null && current.config().equals(config)
                        ? current : new PrecisePrefixIndex(config));
            }

            @Override
            public int defaultBlockSize() {
                return defaultBlockSize;
            }
        };
    }

    /** The index of a pool, if it routes precisely. */
    public PrecisePrefixIndex index(String pool) {
        PoolState s = pools.get(pool);
        return s == null ? null : s.index();
    }

    /**
     * Makes the subscriptions match the plans: starts subscribers of new endpoints (and of replaced indexes), closes
     * those of endpoints and pools that left. Pools absent from {@code plans} lose their subscribers and metrics.
     */
    public synchronized void sync(List<PrecisePoolPlan> plans) {
        Map<String, Wanted> byKey = new HashMap<>();
        Set<String> poolNames = new HashSet<>();
        for (PrecisePoolPlan plan : plans) {
            poolNames.add(plan.pool());
            String filter = plan.producer().kvEvents().topicFilter();
            int indexId = System.identityHashCode(plan.producer().index());
            for (PreciseTarget t : plan.targets()) {
                byKey.put(plan.pool() + '|' + t.endpoint() + '|' + t.publisher() + '|' + t.replay() + '|' + filter
                        + '|' + indexId, new Wanted(plan, t));
            }
        }
        for (var it = subscribers.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!byKey.containsKey(e.getKey())) {
                e.getValue().close();
                it.remove();
                log.info("kv events of {}: unsubscribed from {}", e.getValue().endpoint(), e.getValue().publisher());
            }
        }
        for (var e : byKey.entrySet()) {
            if (!subscribers.containsKey(e.getKey())) {
                PrecisePoolPlan plan = e.getValue().plan();
                PreciseTarget target = e.getValue().target();
                subscribers.put(e.getKey(), new KvEventSubscriber(zmq, target.publisher(), target.replay(),
                        target.endpoint(), plan.model(), plan.producer().kvEvents().topicFilter(),
                        plan.producer().index()).start());
            }
        }
        for (PrecisePoolPlan plan : plans) {
            PoolState state = pools.computeIfAbsent(plan.pool(), PoolState::new);
            state.producer = plan.producer();
            state.tokenizer = plan.tokenizer();
            List<KvEventSubscriber> mine = new ArrayList<>();
            subscribers.forEach((k, s) -> {
                if (k.startsWith(plan.pool() + '|')) {
                    mine.add(s);
                }
            });
            state.subscribers = List.copyOf(mine);
            if (state.meters.isEmpty()) {
                register(state);
            }
        }
        for (String gone : new HashSet<>(pools.keySet())) {
            if (!poolNames.contains(gone)) {
                PoolState s = pools.remove(gone);
                s.meters.forEach(metrics.registry()::remove);
                indexes.remove(gone);
            }
        }
    }

    private void register(PoolState s) {
        Tags tags = Tags.of("pool", s.pool);
        counter(s, "jetway_kv_events_received", "KV-event messages received from the model servers",
                st -> st.sumSubscribers(KvEventSubscriber::received));
        counter(s, "jetway_kv_events_applied", "KV-event messages applied to the precise index",
                st -> st.sumEndpoints(e -> e.messages() - e.malformedMessages()));
        counter(s, "jetway_kv_events_malformed", "KV-event messages skipped because they did not decode",
                st -> st.sumEndpoints(EndpointStats::malformedMessages)
                        + st.sumSubscribers(KvEventSubscriber::malformedFrames));
        counter(s, "jetway_kv_events_sequence_gaps", "Jumps in a publisher's sequence (events lost)",
                st -> st.sumEndpoints(EndpointStats::sequenceGaps));
        counter(s, "jetway_kv_events_publisher_restarts", "Publisher sequences that went back (engine restarted)",
                st -> st.sumEndpoints(EndpointStats::publisherRestarts));
        counter(s, "jetway_kv_events_gaps_replayed", "Sequence gaps filled from the publishers' replay sockets "
                        + "(kvEventsReplay) instead of dropping the endpoint's entries",
                st -> st.sumSubscribers(KvEventSubscriber::gapsReplayed));
        counter(s, "jetway_kv_events_resubscribes", "Times a subscription was dropped and dialled again because "
                + "requests routed to its endpoint got no KV events back (see jetway_kv_events_silent_endpoints)",
                st -> st.sumSubscribers(KvEventSubscriber::resubscribes));
        counter(s, "jetway_kv_events_replay_failures", "Sequence gaps the replay socket could not fill (too old for "
                        + "its buffer, no answer within 1 s, or malformed): the endpoint's entries were rebuilt",
                st -> st.sumSubscribers(KvEventSubscriber::replayFailures));
        counter(s, "jetway_kv_index_untrusted_rebuilds", "Times an endpoint's entries were dropped and rebuilt "
                        + "from new events after a gap, a restart or a malformed message",
                st -> st.sumEndpoints(e -> e.sequenceGaps() + e.publisherRestarts() + e.malformedMessages()));
        counter(s, "jetway_kv_index_gaps_found", "Times the closure audit found an endpoint holding a block past one "
                        + "it lacks (that endpoint is then looked up block by block until its entries are cleared)",
                st -> st.sumEndpoints(EndpointStats::gapsFound));
        counter(s, "llm_d_epp_kv_cache_index_admissions", "Blocks added to the precise index from BlockStored",
                st -> st.sumEndpoints(EndpointStats::blocksStored));
        counter(s, "llm_d_epp_kv_cache_index_evictions", "Blocks removed from the precise index (BlockRemoved, "
                + "or the index's own bound)", st -> st.sumEndpoints(EndpointStats::blocksRemoved)
                + st.index().stats().evictedEntries());
        counter(s, "llm_d_epp_kv_cache_index_lookup_requests", "Precise index lookups (one per scheduled request)",
                st -> st.producer.lookups());
        counter(s, "llm_d_epp_kv_cache_index_lookup_hits", "Lookups where an endpoint held the first block",
                st -> st.producer.lookupHits());
        gauge(s, "jetway_kv_index_entries", "Live (block, endpoint, tier) entries of the precise index",
                st -> st.index().stats().entries());
        gauge(s, "jetway_kv_index_bytes", "Approximate bytes of the precise index's tables",
                st -> st.index().stats().approxBytes());
        gauge(s, "jetway_kv_index_gapped_endpoints", "Endpoints looked up block by block instead of by bisection "
                + "(the audit found a gap, or the index's entry bound evicted some of their entries)",
                st -> st.sumEndpoints(e -> e.gapped() ? 1 : 0));
        gauge(s, "jetway_kv_events_subscribers", "KV-event subscriptions of the pool", st -> st.subscribers.size());
        gauge(s, "jetway_kv_events_silent_endpoints", "Endpoints that were routed "
                + PrecisePrefixIndex.SILENT_AFTER_ROUTED + " or more requests with new blocks, the first of them over "
                + "parityTimeout ago, since their KV-event publisher was last heard from",
                st -> st.sumEndpoints(e -> e.silent() ? 1 : 0));
        gauge(s, "jetway_kv_hash_parity_ratio", "Share of routed requests whose new blocks the engine reported under "
                + "the keys Jetway computed (1 until a request is judged: see jetway_kv_hash_parity_samples)",
                st -> exportedRatio(st.index().poolParity()));
        gauge(s, "jetway_kv_hash_parity_samples", "Routed requests judged by the parity check in its window (the "
                + "ratio's evidence; the gateway warns from " + PrecisePrefixIndex.PARITY_MIN_SAMPLES + " on)",
                st -> st.index().poolParity().samples());
        log.debug("kv-event metrics registered for pool {} ({})", s.pool, tags);
    }

    /**
     * The ratio as exported: 1 before the first judgement (nothing disagreed yet) rather than NaN, which would make
     * every sum, average or comparison over pools undefined until each pool has routed a request.
     */
    static double exportedRatio(ParityReport report) {
        return report.samples() == 0 ? 1.0 : report.ratio();
    }

    private void counter(PoolState s, String name, String help, ToDoubleFunction<PoolState> f) {
        MeterRegistry r = metrics.registry();
        s.meters.add(FunctionCounter.builder(name, s, f).description(help).tags("pool", s.pool).register(r));
    }

    private void gauge(PoolState s, String name, String help, ToDoubleFunction<PoolState> f) {
        MeterRegistry r = metrics.registry();
        s.meters.add(Gauge.builder(name, s, f).description(help).tags("pool", s.pool).strongReference(true)
                .register(r));
    }

    private void housekeep() {
        long now = System.nanoTime();
        for (PoolState s : pools.values()) {
            try {
                PrecisePrefixIndex index = s.index();
                index.expireDue();
                s.alarm.check(index.poolParity(), index.config().blockSize(), s.tokenizer, now);
                s.silence.check(index.endpointStats(), s::publisherOf, now);
            } catch (RuntimeException e) {
                log.warn("precise index housekeeping of pool {} failed: {}", s.pool, e.toString());
            }
        }
    }

    /** Settings of a pool's index, for tests and the admin page. */
    public PreciseIndexConfig config(String pool) {
        PrecisePrefixIndex i = index(pool);
        return i == null ? null : i.config();
    }

    @Override
    public synchronized void close() {
        housekeeping.shutdownNow();
        subscribers.values().forEach(KvEventSubscriber::close);
        subscribers.clear();
        for (PoolState s : pools.values()) {
            s.meters.forEach(metrics.registry()::remove);
        }
        pools.clear();
        zmq.close();
    }
}
