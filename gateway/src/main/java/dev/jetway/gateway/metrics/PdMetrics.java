package dev.jetway.gateway.metrics;

import dev.jetway.scheduler.PdDecision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prefill/decode disaggregation, counted and timed, and loud when a P/D pool stops splitting: a decision that wanted
 * a prefill endpoint and found none is logged (at most every 30 s per pool), and so is a pool whose last
 * {@value #DECODE_ONLY_STREAK} decisions in a row were all decode-only (at most every 5 minutes).
 *
 * <ul>
 *   <li>{@code jetway_pd_decisions_total{pool,decision}}: decode-only, prefill-decode, no-prefill-endpoint;</li>
 *   <li>{@code llm_d_epp_disagg_decision_total{decision_type}}: llm-d's (decode-only, prefill-decode);</li>
 *   <li>{@code jetway_pd_leg_duration_seconds{leg}}: prefill (sent → KV handle back) and decode (sent → end);</li>
 *   <li>{@code jetway_pd_prefill_failures_total{cause}} ({@link PdFailure});</li>
 *   <li>{@code jetway_pd_aggregated_fallbacks_total}: split requests served aggregated because the operator allows
 *       it ({@code aggregatedFallback: true}) and the prefill leg could not run.</li>
 * </ul>
 */
public final class PdMetrics {

    private static final Logger log = LoggerFactory.getLogger(PdMetrics.class);
    static final int DECODE_ONLY_STREAK = 200;
    private static final long NO_PREFILL_LOG_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long STREAK_LOG_NANOS = TimeUnit.MINUTES.toNanos(5);
    private static final Duration[] LEG_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300)};

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> decisions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> failures = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, PoolWatch> watches = new ConcurrentHashMap<>();
    private final Timer prefillLeg;
    private final Timer decodeLeg;
    private final Counter fallbacks;

    /** Per pool: when it last warned, and how many decode-only decisions in a row it has made. */
    private static final class PoolWatch {
        final AtomicLong decodeOnlyStreak = new AtomicLong();
        final AtomicLong lastNoPrefillLog = new AtomicLong(Long.MIN_VALUE / 2);
        final AtomicLong lastStreakLog = new AtomicLong(Long.MIN_VALUE / 2);
    }

    PdMetrics(MeterRegistry registry) {
        this.registry = registry;
        prefillLeg = Timer.builder("jetway_pd_leg_duration").description("Duration of one leg of a split request")
                .tag("leg", "prefill").serviceLevelObjectives(LEG_BUCKETS).register(registry);
        decodeLeg = Timer.builder("jetway_pd_leg_duration").description("Duration of one leg of a split request")
                .tag("leg", "decode").serviceLevelObjectives(LEG_BUCKETS).register(registry);
        fallbacks = Counter.builder("jetway_pd_aggregated_fallbacks")
                .description("Split requests served aggregated on the decode endpoint (aggregatedFallback: true)")
                .register(registry);
    }

    /** A P/D pool's scheduler decided; counts it and warns when the pool is not splitting. */
    public void decided(String pool, PdDecision pd) {
        String label = pd.kind().label();
        decisions.computeIfAbsent(pool + '\u0000' + label, k -> Counter.builder("jetway_pd_decisions")
                .description("P/D decisions of the disagg-profile-handler").tag("pool", pool).tag("decision", label)
                .register(registry)).increment();
        if (pd.kind() != PdDecision.Kind.NO_PREFILL_ENDPOINT) {
            String llmd = pd.disaggregate() ? "prefill-decode" : "decode-only";
            decisions.computeIfAbsent('\u0000' + llmd, k -> Counter.builder("llm_d_epp_disagg_decision")
                    .description("llm-d: disaggregation decisions").tag("decision_type", llmd)
                    .register(registry)).increment();
        }
        PoolWatch watch = watches.computeIfAbsent(pool, p -> new PoolWatch());
        long now = System.nanoTime();
        switch (pd.kind()) {
            case PREFILL_DECODE -> watch.decodeOnlyStreak.set(0);
            case NO_PREFILL_ENDPOINT -> {
                failed(PdFailure.NO_PREFILL_ENDPOINT);
                if (rateLimited(watch.lastNoPrefillLog, now, NO_PREFILL_LOG_NANOS)) {
                    log.warn("pool {}: {} wanted a prefill endpoint and none is eligible ({}); {}", pool, pd.decider(),
                            pd.reason(), pd.aggregatedFallback() ? "serving aggregated on the decode endpoint"
                                    : "answering 503 (set aggregatedFallback: true to serve aggregated instead)");
                }
            }
            case DECODE_ONLY -> {
                if (watch.decodeOnlyStreak.incrementAndGet() % DECODE_ONLY_STREAK == 0
                        && rateLimited(watch.lastStreakLog, now, STREAK_LOG_NANOS)) {
                    log.warn("pool {} is configured for P/D but its last {} requests were all served decode-only; "
                            + "{} said: {}", pool, watch.decodeOnlyStreak.get(), pd.decider(), pd.reason());
                }
            }
        }
    }

    private static boolean rateLimited(AtomicLong last, long now, long interval) {
        long prev = last.get();
        return now - prev >= interval && last.compareAndSet(prev, now);
    }

    public void failed(PdFailure cause) {
        failureCounter(cause).increment();
    }

    private Counter failureCounter(PdFailure cause) {
        return failures.computeIfAbsent(cause.label(), k -> Counter.builder("jetway_pd_prefill_failures")
                .description("Prefill legs that handed no KV to a decode leg, by cause").tag("cause", k)
                .register(registry));
    }

    /** Every failure cause at zero, so alerts on rate() or absent() work from the first scrape. */
    void preRegister() {
        for (PdFailure cause : PdFailure.values()) {
            failureCounter(cause);
        }
    }

    public void prefillLeg(long nanos) {
        prefillLeg.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void decodeLeg(long nanos) {
        decodeLeg.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void aggregatedFallback() {
        fallbacks.increment();
    }
}
