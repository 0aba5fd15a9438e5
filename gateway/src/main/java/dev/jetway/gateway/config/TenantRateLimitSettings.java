package dev.jetway.gateway.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.jetway.scheduler.flow.TenantRateLimit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code tenantRateLimits} in jetway.yaml: token-rate limits per tenant, a tenant being a fairness id
 * ({@code x-llm-d-inference-fairness-id}; {@code default-flow} without one). Off unless given.
 *
 * <pre>
 * tenantRateLimits:
 *   default: {tokensPerSecond: 2000, burst: 20000}     # every tenant not listed (omit: not limited)
 *   tenants:
 *     team-a: {tokensPerSecond: 10000, burst: 100000}
 *   maxTenants: 100000                                 # buckets kept at most
 * </pre>
 *
 * @param defaults   the limit of tenants not listed, or null (not limited)
 * @param tenants    limits of named tenants
 * @param maxTenants buckets kept at most (memory bound)
 */
public record TenantRateLimitSettings(@JsonProperty("default") Limit defaults, Map<String, Limit> tenants,
                                      Integer maxTenants) {

    /** A token bucket: {@code tokensPerSecond} sustained, {@code burst} at once after being idle. */
    public record Limit(Double tokensPerSecond, Long burst) {
    }

    public TenantRateLimitSettings {
        tenants = tenants == null ? Map.of() : Map.copyOf(tenants);
        maxTenants = maxTenants == null ? TenantRateLimit.DEFAULT_MAX_TENANTS : maxTenants;
        ConfigChecks.positive("tenantRateLimits.maxTenants", maxTenants);
        check("tenantRateLimits.default", defaults);
        tenants.forEach((name, limit) -> {
            if (limit == null) {
                throw new IllegalArgumentException("tenantRateLimits.tenants." + name + " needs tokensPerSecond and burst");
            }
            check("tenantRateLimits.tenants." + name, limit);
        });
    }

    private static void check(String key, Limit limit) {
        if (limit == null) {
            return;
        }
        if (limit.tokensPerSecond() == null || !(limit.tokensPerSecond() > 0)
                || limit.tokensPerSecond().isInfinite()) {
            throw new IllegalArgumentException(key + ".tokensPerSecond must be a positive number, got "
                    + limit.tokensPerSecond());
        }
        if (limit.burst() == null || limit.burst() <= 0) {
            throw new IllegalArgumentException(key + ".burst must be a positive number of tokens, got " + limit.burst());
        }
    }

    /** The limiter's settings. */
    public TenantRateLimit toLimit() {
        Map<String, TenantRateLimit.Limit> named = new LinkedHashMap<>();
        tenants.forEach((name, l) -> named.put(name, new TenantRateLimit.Limit(l.tokensPerSecond(), l.burst())));
        return new TenantRateLimit(defaults == null ? null
                : new TenantRateLimit.Limit(defaults.tokensPerSecond(), defaults.burst()), named, maxTenants);
    }
}
