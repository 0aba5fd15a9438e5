package dev.jetway.gateway.extproc;

import dev.jetway.gateway.metrics.GatewayMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What only the endpoint picker measures, next to the gateway's own meters ({@link GatewayMetrics}, shared, which
 * count requests, errors, latencies and tokens in both modes): llm-d's per-request metrics that the picker learns from
 * watching responses go by (running requests, response size, normalized time per output token), and the picker's own
 * work (how long a decision took from the last body byte to the answer, queueing included; streams by outcome;
 * responses served by another endpoint than the primary). Model labels go through the gateway's cap
 * ({@link GatewayMetrics#modelLabel}).
 */
final class ExtProcMetrics {

    private static final Duration[] DECISION_BUCKETS = seconds(0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30);
    private static final Duration[] NTPOT_BUCKETS = seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1,
            0.25, 0.5, 1, 2.5, 10);

    private final MeterRegistry registry;
    private final GatewayMetrics gateway;
    private final Timer decision;
    private final Counter servedElsewhere;
    private final Counter passthrough;
    private final ConcurrentHashMap<String, PerModel> byModel = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> streams = new ConcurrentHashMap<>();

    ExtProcMetrics(GatewayMetrics gateway) {
        this.gateway = gateway;
        this.registry = gateway.registry();
        decision = Timer.builder("jetway_epp_decision_duration")
                .description("From the request's last body byte to the routing answer to Envoy, queueing included")
                .serviceLevelObjectives(DECISION_BUCKETS).register(registry);
        servedElsewhere = Counter.builder("jetway_epp_served_by_fallback")
                .description("Responses Envoy reports as served by another endpoint than the primary (its retries)")
                .register(registry);
        passthrough = Counter.builder("jetway_epp_passthrough")
                .description("Requests routed to a random ready endpoint without scheduling (no body, not an "
                        + "inference path)")
                .register(registry);
    }

    void decided(long nanos) {
        decision.record(nanos, TimeUnit.NANOSECONDS);
    }

    void servedByFallback() {
        servedElsewhere.increment();
    }

    void passthrough() {
        passthrough.increment();
    }

    /** A stream ended: {@code routed}, {@code local_reply}, {@code passthrough}, {@code cancelled}, ... */
    void stream(String outcome) {
        streams.computeIfAbsent(outcome, o -> Counter.builder("jetway_epp_streams")
                .description("ext_proc streams by how they ended").tag("outcome", o).register(registry)).increment();
    }

    PerModel model(String model) {
        PerModel m = byModel.get(model);
        if (m != null) {
            return m;
        }
        String label = gateway.modelLabel(model);
        return byModel.computeIfAbsent(label, l -> new PerModel(registry, l));
    }

    /** llm-d's request metrics of one model ({@code model_name}, {@code target_model_name}). */
    static final class PerModel {
        private final AtomicLong running = new AtomicLong();
        private final DistributionSummary responseSize;
        private final Timer ntpot;

        PerModel(MeterRegistry registry, String model) {
            Tags tags = Tags.of("model_name", model, "target_model_name", model);
            Gauge.builder("llm_d_epp_request_running", running, AtomicLong::get)
                    .description("Requests routed whose response has not ended").tags(tags).register(registry);
            responseSize = DistributionSummary.builder("llm_d_epp_response_size").baseUnit("bytes")
                    .description("Response body size").tags(tags)
                    .serviceLevelObjectives(1024, 8192, 65536, 262144, 1048576, 8388608).register(registry);
            ntpot = Timer.builder("llm_d_epp_request_ntpot")
                    .description("Normalized time per output token: request duration / tokens generated")
                    .tags(tags).serviceLevelObjectives(NTPOT_BUCKETS).register(registry);
        }

        void started() {
            running.incrementAndGet();
        }

        void finished(long durationNanos, int generated, long responseBytes) {
            running.decrementAndGet();
            responseSize.record(responseBytes);
            if (generated > 0) {
                ntpot.record(durationNanos / generated, TimeUnit.NANOSECONDS);
            }
        }
    }

    private static Duration[] seconds(double... values) {
        Duration[] out = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
        }
        return out;
    }
}
