package dev.jetway.gateway.extproc;

import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.gateway.routing.GatewayPool;
import dev.jetway.gateway.routing.RoutingTable;

/**
 * Whether the picker knows which endpoints are ready (GIE's "datastore synced"): every pool with endpoints has had a
 * first successful scrape of at least one of them. Before that a pool looks empty or unscraped and the picker would
 * answer 503 or route blind, so Envoy's health check and Kubernetes' readiness probe keep it out until then. A pool
 * with no endpoints has nothing to wait for. A gate of the gateway's readiness, next to discovery's.
 */
final class PoolReadiness {

    private PoolReadiness() {
    }

    /** Null when every pool is synced; else what is awaited, for {@code /ready}'s body and the log. */
    static String waitingFor(RoutingTable table) {
        for (GatewayPool pool : table.pools()) {
            if (!synced(pool)) {
                return "a first successful scrape of an endpoint of pool " + pool.name();
            }
        }
        return null;
    }

    static boolean synced(GatewayPool pool) {
        if (pool.endpoints().isEmpty()) {
            return true;
        }
        for (GatewayEndpoint e : pool.endpoints()) {
            if (e.health().scraped()) {
                return true;
            }
        }
        return false;
    }
}
