package dev.jetway.scheduler.flow;

import java.util.Map;

/**
 * Settings of the per-tenant token-rate limit ({@link TenantRateLimiter}); a tenant is a fairness id
 * ({@code x-llm-d-inference-fairness-id}). Plain data for the gateway's {@code jetway.yaml}.
 *
 * @param defaults   the limit of a tenant not listed; null = tenants not listed are not limited
 * @param tenants    limits of named tenants
 * @param maxTenants tenants tracked at most (memory bound); beyond it, new tenants share one bucket with the default
 *                   limit until idle ones expire
 */
public record TenantRateLimit(Limit defaults, Map<String, Limit> tenants, int maxTenants) {

    public static final int DEFAULT_MAX_TENANTS = 100_000;

    /**
     * A token bucket.
     *
     * @param tokensPerSecond sustained rate
     * @param burst           tokens a tenant may use at once after being idle (the bucket's size)
     */
    public record Limit(double tokensPerSecond, long burst) {

        public Limit {
            if (!(tokensPerSecond > 0) || Double.isInfinite(tokensPerSecond)) {
                throw new IllegalArgumentException("tokensPerSecond must be positive, got " + tokensPerSecond);
            }
            if (burst <= 0) {
                throw new IllegalArgumentException("burst must be positive, got " + burst);
            }
        }

        /** How long an emptied bucket takes to fill, in nanoseconds. */
        long fillNanos() {
            return (long) Math.ceil(burst / tokensPerSecond * 1e9);
        }
    }

    public TenantRateLimit {
        tenants = tenants == null ? Map.of() : Map.copyOf(tenants);
        if (maxTenants <= 0) {
            throw new IllegalArgumentException("maxTenants must be positive, got " + maxTenants);
        }
    }

    /** One limit for every tenant. */
    public static TenantRateLimit everyTenant(double tokensPerSecond, long burst) {
        return new TenantRateLimit(new Limit(tokensPerSecond, burst), Map.of(), DEFAULT_MAX_TENANTS);
    }

    /** The limit of a tenant, or null when it is not limited. */
    public Limit limitOf(String tenant) {
        Limit own = tenants.get(tenant);
        return own != null ? own : defaults;
    }
}
