package dev.jetway.gateway.routing;

import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.scheduler.latency.LatencyModel;
import dev.jetway.scheduler.plugins.producer.PredictedLatencyProducer;
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
 * A pool with several producers reports the first one's model.
 */
final class LatencyModels {

    /** What a pool reports: its first producer's model, and its endpoints' metric labels by endpoint id. */
    private record Reported(String pool, LatencyModel model, Map<String, String> labels) {
    }

    private final ConcurrentHashMap<String, ConcurrentHashMap<LatencyModel.Settings, LatencyModel>> byPool =
            new ConcurrentHashMap<>();
    private List<Reported> reported = List.of();


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
}
