package dev.jetway.scheduler.flow;

import static dev.jetway.scheduler.flow.FlowFixtures.MS;
import static dev.jetway.scheduler.flow.FlowFixtures.S;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TenantRateLimiterTest {

    private long now = 50 * S;

    @Test
    void aBurstGoesThenTheRateHolds() {
        TenantRateLimiter limiter = new TenantRateLimiter(TenantRateLimit.everyTenant(100, 1000));
        assertThat(limiter.acquire("a", 600, now)).isZero();
        assertThat(limiter.acquire("a", 400, now)).isZero();
        long wait = limiter.acquire("a", 200, now);
        assertThat(wait).isEqualTo(2 * S); // 200 tokens at 100/s
        assertThat(TenantRateLimiter.retryAfterSeconds(wait)).isEqualTo(2);
        assertThat(limiter.acquire("a", 200, now + wait - MS)).isPositive();
        assertThat(limiter.acquire("a", 200, now + wait)).isZero();
        assertThat(limiter.acquire("b", 1000, now)).as("tenants have their own buckets").isZero();
    }

    @Test
    void aRequestLargerThanTheBurstPassesOnAFullBucketAndLeavesADebt() {
        TenantRateLimiter limiter = new TenantRateLimiter(TenantRateLimit.everyTenant(100, 1000));
        assertThat(limiter.acquire("a", 3000, now)).isZero();
        // 2000 tokens of debt, then 10 more: 20.1 s
        assertThat(limiter.acquire("a", 10, now)).isEqualTo(20_100 * MS);
        assertThat(limiter.acquire("a", 3000, now + 29 * S)).isPositive(); // needs a full bucket again
        assertThat(limiter.acquire("a", 3000, now + 30 * S)).isZero();
    }

    @Test
    void generatedTokensChargedLaterCountAgainstTheTenant() {
        TenantRateLimiter limiter = new TenantRateLimiter(TenantRateLimit.everyTenant(100, 1000));
        assertThat(limiter.acquire("a", 500, now)).isZero();
        limiter.charge("a", 500, now + 1);
        assertThat(limiter.acquire("a", 100, now + 1)).isPositive();
    }

    @Test
    void namedTenantsHaveTheirOwnLimitsAndOthersMayBeFree() {
        var settings = new TenantRateLimit(null, Map.of("paid", new TenantRateLimit.Limit(1000, 5000)), 10);
        TenantRateLimiter limiter = new TenantRateLimiter(settings);
        assertThat(limiter.acquire("anyone", 1_000_000, now)).isZero();
        assertThat(limiter.acquire("paid", 5000, now)).isZero();
        assertThat(limiter.acquire("paid", 1000, now)).isEqualTo(1 * S);
        assertThat(limiter.tenants()).isEqualTo(1); // unlimited tenants cost nothing
    }

    @Test
    void idleTenantsExpireAndTheCountIsBounded() {
        TenantRateLimiter limiter = new TenantRateLimiter(new TenantRateLimit(
                new TenantRateLimit.Limit(100, 100), Map.of(), 1000));
        for (int i = 0; i < 5000; i++) {
            limiter.acquire("tenant-" + i, 50, now);
        }
        assertThat(limiter.tenants()).isLessThanOrEqualTo(1001); // the cap, plus the shared overflow bucket
        // the overflow tenants share one bucket: most of them are refused
        assertThat(limiter.acquire("tenant-4999", 100, now)).isPositive();
        now += 2 * S; // every bucket has refilled
        limiter.acquire("late", 1, now);
        assertThat(limiter.tenants()).isEqualTo(1);
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> new TenantRateLimit.Limit(0, 10)).hasMessageContaining("tokensPerSecond");
        assertThatThrownBy(() -> new TenantRateLimit.Limit(10, 0)).hasMessageContaining("burst");
        assertThatThrownBy(() -> new TenantRateLimit(null, Map.of(), 0)).hasMessageContaining("maxTenants");
    }
}
