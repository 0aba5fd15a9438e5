package dev.jetway.scheduler.flow;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.EndpointMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Builders shared by the flow-control tests. */
final class FlowFixtures {

    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;

    private FlowFixtures() {
    }

    /** An endpoint scraped at {@code at} with {@code waiting} queued requests and {@code kv} cache usage. */
    static Endpoint endpoint(String id, int waiting, double kv, long at) {
        Endpoint e = new Endpoint(id, id + ":8000", Map.of());
        e.updateMetrics(EndpointMetrics.of(waiting, 0, kv, at));
        return e;
    }

    static void scrape(Endpoint e, int waiting, double kv, long at) {
        e.updateMetrics(EndpointMetrics.of(waiting, 0, kv, at));
    }

    static PriorityBand band(int priority, FairnessPolicy fairness, OrderingPolicy ordering, Duration ttl) {
        return new PriorityBand(priority, PriorityBand.DEFAULT_MAX_BYTES, PriorityBand.DEFAULT_MAX_REQUESTS,
                fairness, ordering, ttl);
    }

    /** llm-d's defaults, on, with another detector and default band. */
    static FlowControlConfig config(SaturationDetector detector, PriorityBand defaultBand) {
        FlowControlConfig d = FlowControlConfig.defaults(true);
        return new FlowControlConfig(true, 0, 0, d.defaultRequestTTL(), d.noEndpointRequestTTL(), defaultBand, null,
                List.of(), d.usageLimit(), detector, false, null);
    }

    static FlowControlConfig config(SaturationDetector detector) {
        return config(detector, FlowControlConfig.defaults(true).defaultBand());
    }

    /** Saturation = in-flight + in-transit requests over {@code endpoints × max}. */
    static ConcurrencyDetector concurrency(long max) {
        return new ConcurrencyDetector(ConcurrencyDetector.TYPE,
                new ConcurrencyDetector.Params(ConcurrencyDetector.Mode.REQUESTS, max, 1_000_000, 0));
    }

    static UtilizationDetector utilization() {
        return new UtilizationDetector(UtilizationDetector.TYPE, UtilizationDetector.Params.DEFAULT);
    }

    /** Hears everything, in order. */
    static final class Recorder implements FlowListener {
        final List<FlowTicket> dispatched = new ArrayList<>();
        final List<FlowTicket> rejected = new ArrayList<>();
        final List<FlowTicket> evicted = new ArrayList<>();
        final Map<FlowOutcome, Integer> outcomes = new EnumMap<>(FlowOutcome.class);

        @Override
        public synchronized void dispatched(FlowTicket ticket) {
            dispatched.add(ticket);
        }

        @Override
        public synchronized void rejected(FlowTicket ticket, FlowOutcome outcome) {
            rejected.add(ticket);
            outcomes.merge(outcome, 1, Integer::sum);
        }

        @Override
        public synchronized void evict(FlowTicket ticket, FlowOutcome outcome) {
            evicted.add(ticket);
        }

        List<String> dispatchedIds() {
            return dispatched.stream().map(t -> t.request().id()).toList();
        }

        FlowRequest request(String id, int priority, String flow) {
            return new FlowRequest(id, priority, flow, 100, 10, 0, this);
        }

        FlowRequest request(String id, int priority, String flow, long bytes) {
            return new FlowRequest(id, priority, flow, bytes, 10, 0, this);
        }
    }
}
