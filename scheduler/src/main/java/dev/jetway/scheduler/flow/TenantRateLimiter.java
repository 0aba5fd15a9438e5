package dev.jetway.scheduler.flow;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-tenant token-rate limits: a token bucket per fairness id. {@link #acquire} takes a request's tokens when they
 * fit and otherwise says how long until they would (the host answers 429 with {@code retry-after}). A request larger
 * than the bucket passes when the bucket is full and leaves it in debt, so a tenant's long-run rate holds whatever
 * its request sizes. Tokens known only later (generated ones) can be {@link #charge charged} afterwards.
 *
 * <p>Memory is bounded: a bucket that has refilled is the same as no bucket, so buckets idle for longer than their
 * fill time are dropped (swept at most once per {@code sweepNanos}, by whichever caller comes along); at most
 * {@link TenantRateLimit#maxTenants()} are kept, beyond which new tenants share one overflow bucket. Thread-safe; no
 * threads of its own; time is the host's {@code nanoTime}.
 */
public final class TenantRateLimiter {

    private static final long SWEEP_NANOS = 1_000_000_000L;
    private static final String OVERFLOW = "";

    private final TenantRateLimit settings;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicLong nextSweep = new AtomicLong(Long.MIN_VALUE);

    public TenantRateLimiter(TenantRateLimit settings) {
        this.settings = settings;
    }

    public TenantRateLimit settings() {
        return settings;
    }

    /**
     * Takes {@code tokens} from the tenant's bucket if they fit: returns 0 (go ahead) or the nanoseconds until they
     * would fit (nothing taken).
     */
    public long acquire(String tenant, long tokens, long nowNanos) {
        TenantRateLimit.Limit limit = settings.limitOf(tenant);
        if (limit == null || tokens <= 0) {
            return 0;
        }
        sweepIfDue(nowNanos);
        while (true) {
            Bucket b = bucket(tenant, limit, nowNanos);
            synchronized (b) {
                if (b.dead) {
                    continue; // swept between lookup and lock
                }
                b.refill(nowNanos);
                double need = Math.min(tokens, b.limit.burst());
                if (b.level >= need) {
                    b.level -= tokens;
                    return 0;
                }
                return Math.max(1, (long) Math.ceil((need - b.level) / b.limit.tokensPerSecond() * 1e9));
            }
        }
    }

    /** Takes tokens used beyond what was acquired (e.g. the generated ones), even into debt. */
    public void charge(String tenant, long tokens, long nowNanos) {
        TenantRateLimit.Limit limit = settings.limitOf(tenant);
        if (limit == null || tokens <= 0) {
            return;
        }
        while (true) {
            Bucket b = bucket(tenant, limit, nowNanos);
            synchronized (b) {
                if (b.dead) {
                    continue;
                }
                b.refill(nowNanos);
                b.level -= tokens;
                return;
            }
        }
    }

    /** Buckets kept now. */
    public int tenants() {
        return buckets.size();
    }

    /** Whole seconds for a {@code retry-after} header: at least 1. */
    public static long retryAfterSeconds(long waitNanos) {
        return Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
    }

    private Bucket bucket(String tenant, TenantRateLimit.Limit limit, long now) {
        Bucket b = buckets.get(tenant);
        if (b != null) {
            return b;
        }
        if (buckets.size() >= settings.maxTenants()) {
            sweep(now);
            if (buckets.size() >= settings.maxTenants()) {
                TenantRateLimit.Limit shared = settings.defaults() != null ? settings.defaults() : limit;
                return buckets.computeIfAbsent(OVERFLOW, k -> new Bucket(shared, now));
            }
        }
        return buckets.computeIfAbsent(tenant, k -> new Bucket(limit, now));
    }

    private void sweepIfDue(long now) {
        long due = nextSweep.get();
        if (now - due >= 0 || due == Long.MIN_VALUE) {
            if (nextSweep.compareAndSet(due, now + SWEEP_NANOS)) {
                sweep(now);
            }
        }
    }

    private void sweep(long now) {
        for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator(); it.hasNext(); ) {
            Bucket b = it.next().getValue();
            synchronized (b) {
                if (b.full(now)) {
                    b.dead = true;
                    it.remove();
                }
            }
        }
    }

    /** One tenant's tokens; guarded by its own monitor. */
    private static final class Bucket {
        final TenantRateLimit.Limit limit;
        double level;
        long updated;
        boolean dead;

        Bucket(TenantRateLimit.Limit limit, long now) {
            this.limit = limit;
            this.level = limit.burst();
            this.updated = now;
        }

        void refill(long now) {
            long elapsed = now - updated;
            if (elapsed > 0) {
                level = Math.min(limit.burst(), level + elapsed * limit.tokensPerSecond() / 1e9);
                updated = now;
            }
        }

        /** Refilled by now: indistinguishable from a new bucket. */
        boolean full(long now) {
            double missing = limit.burst() - level;
            return missing <= 0 || (now - updated) >= (long) Math.ceil(missing / limit.tokensPerSecond() * 1e9);
        }
    }
}
