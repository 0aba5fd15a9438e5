package dev.jetway.gateway.routing;

import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.scheduler.latency.LatencyModel;
import dev.jetway.scheduler.plugins.producer.PredictedLatencyProducer;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Each pool's latency models, held by the gateway rather than by its schedulers (the {@code latencyModels} of
 * {@link dev.jetway.scheduler.SchedulerServices}): a pool's {@code predicted-latency-producer} asks for a model by
 * its settings and gets the same instance as before when they did not change, so what the model learned survives a
 * config reload that rebuilds the pool's scheduler; other settings get a new model. After each reload the models no
 * scheduler of the pool uses any more are dropped, a removed pool's models with it, and each model forgets the
 * endpoints that left the pool ({@link LatencyModel#retain}).
 *
 * <p>Also the models' metrics, refreshed before each scrape: {@value #ERROR_METRIC} (the recent MAPE, as a fraction)
 * and {@value #OBSERVATIONS_METRIC}{@code _total} (responses whose latency was compared with a prediction), labelled
 * {@code name} (pool), {@code model_server_endpoint} (the endpoint, or {@code ""} for the pool-wide value) and
 * {@code kind} ({@code ttft}, {@code tpot}, {@code e2e}). A pool's own series ({@code ""}) exist from the first scrape (the
 * error 0 until a prediction was compared, the observations 0 saying so), an endpoint's appear with its first
 * observation; they go with their endpoint, their pool, or its model (a pool whose policy no longer predicts latency,
 * or whose model was replaced by one of other settings).
 * A pool with several producers reports the first one's model.
 */
final class LatencyModels {

    static final String ERROR_METRIC = "jetway_latency_prediction_error";
    static final String OBSERVATIONS_METRIC = "jetway_latency_prediction_observations";

    private record Key(String pool, String endpoint, String kind) {
        Tags tags() {
            return Tags.of("name", pool, "model_server_endpoint", endpoint, "kind", kind);
        }
    }

    /** What a pool reports: its first producer's model, and its endpoints' metric labels by endpoint id. */
    private record Reported(String pool, LatencyModel model, Map<String, String> labels) {
    }

    private final GatewayMetrics metrics;
    private final ConcurrentHashMap<String, ConcurrentHashMap<LatencyModel.Settings, LatencyModel>> byPool =
            new ConcurrentHashMap<>();
    private List<Reported> reported = List.of();
    private volatile Map<Key, LatencyModel.PredictionError> snapshot = Map.of();
    private Set<Key> registered = Set.of();

    LatencyModels(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    /** What a pool's schedulers get as {@code SchedulerServices.latencyModels}. */
    Function<LatencyModel.Settings, LatencyModel> forPool(String pool) {
        return settings -> byPool.computeIfAbsent(pool, p -> new ConcurrentHashMap<>())
                .computeIfAbsent(settings, LatencyModel::new);
    }

    /** After {@code table} went live: keeps the models its schedulers use, and their live endpoints. */
    synchronized void sync(RoutingTable table) {
        List<Reported> next = new ArrayList<>();
        Set<String> pools = new HashSet<>();
        for (GatewayPool pool : table.pools()) {
            List<LatencyModel> used = pool.scheduler().plugins(PredictedLatencyProducer.class).stream()
                    .map(PredictedLatencyProducer::model).toList();
            Map<LatencyModel.Settings, LatencyModel> kept = byPool.get(pool.name());
            if (kept != null) {
                kept.values().removeIf(m -> used.stream().noneMatch(u -> u == m));
            }
            if (used.isEmpty()) {
                continue;
            }
            pools.add(pool.name());
            Map<String, String> labels = new HashMap<>();
            for (GatewayEndpoint e : pool.endpoints()) {
                labels.put(e.endpoint().id(), e.address().toString());
            }
            for (LatencyModel m : used) {
                m.retain(labels.keySet());
            }
            next.add(new Reported(pool.name(), used.getFirst(), Map.copyOf(labels)));
        }
        byPool.keySet().retainAll(pools);
        reported = List.copyOf(next);
        // the reload may have removed some of them with an endpoint's gauges: the next scrape registers them anew
        unregister(registered);
        registered = Set.of();
    }

    private void unregister(Collection<Key> keys) {
        for (Key k : keys) {
            metrics.remove(ERROR_METRIC, k.tags());
            metrics.remove(OBSERVATIONS_METRIC, k.tags());
        }
    }

    /** The model a pool reports (its first {@code predicted-latency-producer}'s), or null. */
    synchronized LatencyModel reportedModel(String pool) {
        for (Reported r : reported) {
            if (r.pool().equals(pool)) {
                return r.model();
            }
        }
        return null;
    }

    /** Every model kept for a pool, whatever its settings (tests). */
    Collection<LatencyModel> models(String pool) {
        Map<LatencyModel.Settings, LatencyModel> kept = byPool.get(pool);
        return kept == null ? List.of() : List.copyOf(kept.values());
    }

    /** Reads every reported model's errors once and makes the meters match them (before each scrape). */
    synchronized void refreshMetrics() {
        Map<Key, LatencyModel.PredictionError> next = new HashMap<>();
        for (Reported r : reported) {
            for (LatencyModel.PredictionError e : r.model().errors()) {
                String endpoint = e.endpointId() == null ? "" : r.labels().get(e.endpointId());
                if (endpoint != null) {
                    next.put(new Key(r.pool(), endpoint, e.kind().label()), e);
                }
            }
        }
        snapshot = next;
        // a pool's own series exist before its first observation, so a dashboard or alert on them is defined from
        // the first scrape: the error 0 (no prediction was off yet), with the count of observations, 0, as evidence
        Set<Key> keys = new HashSet<>(next.keySet());
        for (Reported r : reported) {
            for (LatencyModel.Kind kind : LatencyModel.Kind.values()) {
                keys.add(new Key(r.pool(), "", kind.label()));
            }
        }
        unregister(registered.stream().filter(k -> !keys.contains(k)).toList());
        for (Key k : keys) {
            if (registered.contains(k)) {
                continue;
            }
            metrics.gauge(ERROR_METRIC, "Mean absolute percentage error of the latency model's recent predictions, "
                    + "as a fraction", k.tags(), () -> {
                        LatencyModel.PredictionError e = snapshot.get(k);
                        return e == null ? 0 : e.mape();
                    });
            metrics.functionCounter(OBSERVATIONS_METRIC, "Responses whose latency was compared with the latency "
                    + "model's prediction", k.tags(), this,
                    self -> {
                        LatencyModel.PredictionError e = self.snapshot.get(k);
                        return e == null ? 0 : e.total();
                    });
        }
        registered = keys;
    }
}
