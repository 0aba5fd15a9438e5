package dev.jetway.gateway.path;

import dev.jetway.gateway.http.OpenAiError;
import dev.jetway.gateway.routing.RoutingState;
import dev.jetway.scheduler.flow.TenantRateLimiter;

/**
 * Per-tenant token-rate limits ({@code tenantRateLimits} in jetway.yaml; a tenant is the fairness id): the prompt's
 * tokens come out of the tenant's bucket now, the generated ones when the response ends. A tenant over its limit gets
 * 429 with {@code retry-after}, the seconds until its request would fit, before it takes any queue space.
 */
final class RateLimitStage implements RequestStage {

    private final RoutingState routing;

    RateLimitStage(RoutingState routing) {
        this.routing = routing;
    }

    @Override
    public String name() {
        return "rate-limit";
    }

    @Override
    public StageResult apply(GatewayRequest request) {
        TenantRateLimiter limiter = routing.tenantLimiter();
        if (limiter == null) {
            return StageResult.NEXT;
        }
        String tenant = request.identity().fairnessId();
        long wait = limiter.acquire(tenant, Math.max(1, request.promptTokenEstimate()), System.nanoTime());
        if (wait > 0) {
            return StageResult.reply(OpenAiError.tenantRateLimited(tenant, TenantRateLimiter.retryAfterSeconds(wait)));
        }
        request.rateLimited(limiter);
        return StageResult.NEXT;
    }
}
