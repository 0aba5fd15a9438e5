package dev.jetway.gateway.extproc;

import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.gateway.routing.GatewayPool;
import dev.jetway.gateway.routing.RoutingTable;

/**
 * Whether the picker knows which endpoints are ready (GIE's "datastore synced"): every pool with endpoints has had a
 * first successful scrape of at least one of them. Before that every pool looks empty or unscraped and the picker
 * would answer 503 or route blind, so Envoy's health check and Kubernetes' readiness probe keep it out until then.
 * A pool with no endpoints has nothing to wait for.
 */
final class PoolReadiness {

    private PoolReadiness() {
    }

    static boolean synced(RoutingTable table) {
        for (GatewayPool pool : table.pools()) {
            if (!synced(pool)) {
                return false;
            }
        }
        return true;
    }

    static boolean synced(GatewayPool pool) {
        if (pool.endpoints().isEmpty()) {
            return true;
        }
        for (GatewayEndpoint e : pool.endpoints()) {
            if (e.lastScrapeNanos() != Long.MIN_VALUE) {
                return true;
            }
        }
        return false;
    }

    /** The first pool still waiting, for the log; null when all are synced. */
    static String waiting(RoutingTable table) {
        for (GatewayPool pool : table.pools()) {
            if (!synced(pool)) {
                return pool.name();
            }
        }
        return null;
    }
}
