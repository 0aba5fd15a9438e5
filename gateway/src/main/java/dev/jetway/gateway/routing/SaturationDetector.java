package dev.jetway.gateway.routing;

import dev.jetway.gateway.config.AdmissionSettings;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.scheduler.EndpointMetrics;

/**
 * llm-d's utilization detector: an endpoint's saturation is {@code max(waiting / queueDepthThreshold,
 * kvUsage / kvCacheUtilThreshold)}, 1.0 when its metrics are stale or it is out of rotation; the pool's is the
 * unweighted average, and the pool is saturated at 1.0 or more. An empty pool is saturated.
 */
public final class SaturationDetector {

    private SaturationDetector() {
    }

    public static double saturation(GatewayPool pool, AdmissionSettings settings, long nowNanos) {
        if (pool.endpoints().isEmpty()) {
            return 1.0;
        }
        double sum = 0;
        long staleAfter = settings.metricsStalenessThreshold().toNanos();
        for (GatewayEndpoint e : pool.endpoints()) {
            EndpointMetrics m = e.endpoint().metrics();
            if (!e.ready() || m.isStale(nowNanos, staleAfter)) {
                sum += 1.0;
            } else {
                sum += Math.max((double) m.waitingRequests() / settings.queueDepthThreshold(),
                        m.kvCacheUsage() / settings.kvCacheUtilThreshold());
            }
        }
        return sum / pool.endpoints().size();
    }

    public static boolean saturated(GatewayPool pool, AdmissionSettings settings, long nowNanos) {
        return saturation(pool, settings, nowNanos) >= 1.0;
    }
}
