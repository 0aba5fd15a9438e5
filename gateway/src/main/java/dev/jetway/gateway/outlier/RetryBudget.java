package dev.jetway.gateway.outlier;

import dev.jetway.gateway.config.UpstreamSettings;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pool's circuit breaker on retries, Envoy's retry budget: retries in progress at once are at most
 * {@code retryBudgetPercent} of the requests in flight to the pool, and never fewer than {@code minRetryConcurrency}
 * are allowed. When every replica fails for a shared cause (an overload that makes first-byte deadlines expire),
 * retries would only add load; beyond the budget a failed attempt is the request's answer. A retry holds its place
 * until its request ends.
 */
public final class RetryBudget {

    /** For endpoints no detector manages: no limit. */
    static final RetryBudget UNLIMITED = new RetryBudget(null);

    private final OutlierMetrics metrics;
    private final AtomicInteger active = new AtomicInteger();

    RetryBudget(OutlierMetrics metrics) {
        this.metrics = metrics;
    }

    /** The budget of the pool {@code endpoint} belongs to. */
    public static RetryBudget of(GatewayEndpoint endpoint) {
        OutlierDetector d = endpoint.standing().detector();
        return d == null ? UNLIMITED : d.retryBudget();
    }

    /**
     * Takes a place for one more retry, if the budget has one: {@code endpoints} are the pool's, whose in-flight
     * requests (this gateway's) size the budget.
     */
    public boolean tryAcquire(UpstreamSettings settings, List<GatewayEndpoint> endpoints) {
        if (metrics == null) {
            return true;
        }
        int inFlight = 0;
        for (GatewayEndpoint e : endpoints) {
            inFlight += e.endpoint().ownInFlight().requests();
        }
        int limit = Math.max(settings.minRetryConcurrency(), (int) (settings.retryBudgetPercent() / 100 * inFlight));
        while (true) {
            int now = active.get();
            if (now >= limit) {
                metrics.retryRefused();
                return false;
            }
            if (active.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** The request that held a place ended. */
    public void release() {
        if (metrics != null) {
            active.decrementAndGet();
        }
    }

    /** Retries in progress. */
    public int active() {
        return active.get();
    }
}
