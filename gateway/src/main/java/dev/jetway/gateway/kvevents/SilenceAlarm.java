package dev.jetway.gateway.kvevents;

import dev.jetway.kvcache.index.precise.EndpointStats;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns, at most once a minute per endpoint, when requests keep being routed to an endpoint whose KV-event publisher
 * the gateway does not hear: a wrong {@code kvEvents} address, a port the gateway cannot reach, or a model server
 * started without KV events. Parity cannot catch it (with no events there is nothing to compare), and precise routing
 * quietly treats the endpoint as holding nothing. Housekeeping thread only.
 */
final class SilenceAlarm {

    private static final Logger log = LoggerFactory.getLogger(SilenceAlarm.class);
    static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String pool;
    private final Map<String, Long> lastWarning = new HashMap<>();

    SilenceAlarm(String pool) {
        this.pool = pool;
    }

    /**
     * Looks at the pool's endpoints now; returns how many it warned about.
     *
     * @param publisherOf the subscribed publisher address of an endpoint (null if none), looked up only to warn
     */
    int check(List<EndpointStats> endpoints, Function<String, String> publisherOf, long nowNanos) {
        int warned = 0;
        for (EndpointStats e : endpoints) {
            if (!e.silent()) {
                continue;
            }
            Long last = lastWarning.get(e.endpoint());
            if (last != null && nowNanos - last < INTERVAL_NANOS) {
                continue;
            }
            lastWarning.put(e.endpoint(), nowNanos);
            warned++;
            log.warn("pool {}: {} requests with new prompt blocks were routed to {} {} its KV-event publisher {}: "
                            + "precise routing sees nothing cached there. Check that the model server runs with KV "
                            + "events on (vLLM: --kv-events-config with enable_kv_cache_events, publisher zmq, endpoint "
                            + "tcp://*:<port>) and that the gateway reaches that port (see docs/precise-routing.md)",
                    pool, e.routedSinceHeard(), e.endpoint(),
                    e.messages() == 0 ? "without a single message from" : "since the last message from",
                    Objects.requireNonNullElse(publisherOf.apply(e.endpoint()), "(none)"));
        }
        lastWarning.keySet().retainAll(endpoints.stream().map(EndpointStats::endpoint).toList());
        return warned;
    }
}
