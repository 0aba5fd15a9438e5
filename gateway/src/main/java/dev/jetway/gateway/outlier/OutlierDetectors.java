package dev.jetway.gateway.outlier;

import dev.jetway.gateway.config.PoolConfig;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.gateway.metrics.GatewayMetrics;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Every pool's {@link OutlierDetector} and its endpoints' check loops, kept across configuration generations: a
 * pool's detector, and each endpoint's standing (checked, ejected, multiplier), live as long as the pool and the
 * address do, whatever else a reload changes. Driven by the routing state's {@code apply}, one call at a time.
 */
public final class OutlierDetectors implements AutoCloseable {

    private final GatewayMetrics metrics;
    private final HttpClient http;
    private final LongSupplier clock;
    private final CheckBudget budget;
    private final Map<String, OutlierDetector> byPool = new HashMap<>();
    private final Map<EndpointStanding, HealthCheckLoop> loops = new HashMap<>();
    /** Pool → the key its model servers expect in {@code Authorization} (upstreamAuth.apiKeyFile), or null. */
    private volatile Function<String, String> upstreamKeys = pool -> null;

    public OutlierDetectors(GatewayMetrics metrics, HttpClient http, LongSupplier clock, CheckBudget budget) {
        this.metrics = metrics;
        this.http = http;
        this.clock = clock;
        this.budget = budget;
    }

    /** Where checks find the pools' upstream credentials (the server's access control), once it exists. */
    public void upstreamKeys(Function<String, String> keys) {
        this.upstreamKeys = keys;
    }

    /** The key checks of {@code pool} send, or null. */
    String upstreamKey(String pool) {
        return upstreamKeys.apply(pool);
    }

    /** For tests and pools without TLS: checks over plain HTTP with the shared client. */
    public synchronized void prepare(PoolConfig pool, List<GatewayEndpoint> members) {
        prepare(pool, members, http, "http");
    }

    /**
     * Before a generation goes live: the pool's detector takes its settings and the client and scheme its checks
     * use ({@code https} and the pool's TLS client for a pool with {@code tls}), and each member gets its standing (a
     * new address's check loop is started; in a pool that already serves it waits for its first passed check).
     */
    public synchronized void prepare(PoolConfig pool, List<GatewayEndpoint> members, HttpClient client,
                                     String scheme) {
        OutlierDetector detector = byPool.get(pool.name());
        boolean starting = detector == null;
        if (starting) {
            detector = new OutlierDetector(pool.name(), pool.outlierDetection(), pool.healthCheck(),
                    new OutlierMetrics(metrics, pool.name()), clock, budget);
            byPool.put(pool.name(), detector);
        }
        detector.configure(pool.outlierDetection(), pool.healthCheck(), pool.models());
        detector.transport(client, scheme, this::upstreamKey);
        for (GatewayEndpoint e : members) {
            EndpointStanding s = detector.standing(e, starting);
            e.standing(s);
            if (!loops.containsKey(s)) {
                loops.put(s, new HealthCheckLoop(s).start());
            }
        }
    }

    /** After the generation went live: what left it is forgotten, its loops stopped and its series removed. */
    public synchronized void retain(Map<String, Set<String>> addressesByPool) {
        for (var it = byPool.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            Set<String> addresses = addressesByPool.getOrDefault(entry.getKey(), Set.of());
            for (EndpointStanding gone : entry.getValue().retain(addresses)) {
                HealthCheckLoop loop = loops.remove(gone);
                if (loop != null) {
                    loop.close();
                }
            }
            if (!addressesByPool.containsKey(entry.getKey())) {
                entry.getValue().close();
                it.remove();
            } else {
                entry.getValue().registerMeters();
            }
        }
    }

    /** The detector of a pool, or null. */
    public synchronized OutlierDetector detector(String pool) {
        return byPool.get(pool);
    }

    /** Every pool's detector (the admin view). */
    public synchronized List<OutlierDetector> detectors() {
        return new ArrayList<>(byPool.values());
    }

    /** Pool name → addresses of a table's pools (for {@link #retain}). */
    public static Map<String, Set<String>> addresses(Map<String, List<GatewayEndpoint>> members) {
        Map<String, Set<String>> out = new HashMap<>();
        members.forEach((pool, list) -> {
            Set<String> set = new HashSet<>();
            list.forEach(e -> set.add(e.endpoint().address()));
            out.put(pool, set);
        });
        return out;
    }

    @Override
    public synchronized void close() {
        loops.values().forEach(HealthCheckLoop::close);
        loops.clear();
        byPool.values().forEach(OutlierDetector::close);
        byPool.clear();
    }
}
