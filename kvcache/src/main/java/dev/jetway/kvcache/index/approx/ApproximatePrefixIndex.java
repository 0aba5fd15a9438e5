package dev.jetway.kvcache.index.approx;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.StampedLock;

/**
 * Where the router has sent which prompt blocks: per endpoint, an LRU set of request block keys (chained hashes from
 * {@link dev.jetway.kvcache.key.BlockKeys}) sized like the endpoint's KV cache. It believes an endpoint still caches
 * what was routed to it until the LRU forgets it (llm-d's approximate prefix cache, SGLang's approximate tree).
 *
 * <p>Memory is bounded by the sum of the per-endpoint capacities at about {@value #BYTES_PER_ENTRY} bytes per
 * (block, endpoint) entry plus a small fixed cost per endpoint (see {@link BlockLru}); llm-d's default capacity of
 * 31,250 blocks is ~0.8 MB per endpoint when full.
 *
 * <p>Thread-safe: lookups are optimistic reads (no shared write; retried under the read lock if a record ran
 * concurrently); a record (after a routing decision) write-locks only the chosen endpoint.
 */
public final class ApproximatePrefixIndex {

    /** Approximate bytes per (block, endpoint) entry at full capacity, see {@link BlockLru}. */
    public static final int BYTES_PER_ENTRY = 25;

    private static final long USED_GRANULARITY_NANOS = 1_000_000_000L;

    private final int defaultCapacity;
    private final ConcurrentHashMap<String, Shard> endpoints = new ConcurrentHashMap<>();

    private static final class Shard {
        final StampedLock lock = new StampedLock();
        final BlockLru lru;
        volatile long lastUsedNanos;

        Shard(int capacity, long now) {
            this.lru = new BlockLru(capacity);
            this.lastUsedNanos = now;
        }

        /** Coarse on purpose: a volatile store per lookup would cost more than the lookup. */
        void markUsed(long now) {
            if (now - lastUsedNanos > USED_GRANULARITY_NANOS) {
                lastUsedNanos = now;
            }
        }
    }

    /** @param defaultCapacityPerEndpoint blocks remembered per endpoint when the caller gives no capacity */
    public ApproximatePrefixIndex(int defaultCapacityPerEndpoint) {
        if (defaultCapacityPerEndpoint <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + defaultCapacityPerEndpoint);
        }
        this.defaultCapacity = defaultCapacityPerEndpoint;
    }

    public int defaultCapacity() {
        return defaultCapacity;
    }

    /**
     * The number of leading {@code keys} the endpoint holds, stopping at the first it does not (at most
     * {@code count}).
     */
    public int matchLength(String endpointId, long[] keys, int count, long nowNanos) {
        Shard shard = endpoints.get(endpointId);
        if (shard == null || count == 0) {
            return 0;
        }
        shard.markUsed(nowNanos);
        // Optimistic read: no write to shared memory on the hot path. A concurrent record may leave the arrays
        // half-updated under us; validate() then fails (and a torn read may throw), and we retry under the lock.
        long stamp = shard.lock.tryOptimisticRead();
        if (stamp != 0) {
            try {
                int i = matchUnlocked(shard.lru, keys, count);
                if (shard.lock.validate(stamp)) {
                    return i;
                }
            } catch (RuntimeException tornRead) {
                // fall through to the locked read
            }
        }
        stamp = shard.lock.readLock();
        try {
            return matchUnlocked(shard.lru, keys, count);
        } finally {
            shard.lock.unlockRead(stamp);
        }
    }

    private static int matchUnlocked(BlockLru lru, long[] keys, int count) {
        int i = 0;
        while (i < count && lru.contains(keys[i])) {
            i++;
        }
        return i;
    }

    /**
     * Records that the first {@code count} {@code keys} were sent to the endpoint.
     *
     * <p>Keys are touched last-to-first so that block 0 ends up most recently used: under pressure the LRU forgets
     * the tails of prompts before their shared heads, as vLLM's own cache does. (llm-d adds them first-to-last,
     * which evicts the head first and turns the whole chain into a miss.)
     *
     * @param capacity this endpoint's capacity in blocks (0 = the default); a change resizes the endpoint's LRU
     */
    public void record(String endpointId, long[] keys, int count, int capacity, long nowNanos) {
        int cap = capacity > 0 ? capacity : defaultCapacity;
        Shard shard = endpoints.computeIfAbsent(endpointId, id -> new Shard(cap, nowNanos));
        shard.markUsed(nowNanos);
        long stamp = shard.lock.writeLock();
        try {
            if (shard.lru.capacity() != cap) {
                shard.lru.resize(cap);
            }
            for (int i = Math.min(count, keys.length) - 1; i >= 0; i--) {
                shard.lru.touch(keys[i]);
            }
        } finally {
            shard.lock.unlockWrite(stamp);
        }
    }

    /**
     * Forgets {@code keys[from, to)} on the endpoint: they were recorded for a request the endpoint never computed
     * (it failed before its first token: rejected, timed out, retried elsewhere). Returns how many it held.
     */
    public int forget(String endpointId, long[] keys, int from, int to) {
        Shard shard = endpoints.get(endpointId);
        if (shard == null || from >= to) {
            return 0;
        }
        int removed = 0;
        long stamp = shard.lock.writeLock();
        try {
            for (int i = Math.max(0, from); i < Math.min(to, keys.length); i++) {
                if (shard.lru.remove(keys[i])) {
                    removed++;
                }
            }
        } finally {
            shard.lock.unlockWrite(stamp);
        }
        return removed;
    }

    /** Forgets an endpoint (it left the pool). */
    public void remove(String endpointId) {
        endpoints.remove(endpointId);
    }

    /** Forgets endpoints not looked up or recorded since {@code cutoffNanos} (to within a second); returns how many. */
    public int removeUnusedSince(long cutoffNanos) {
        int[] removed = {0};
        endpoints.entrySet().removeIf(e -> {
            boolean stale = e.getValue().lastUsedNanos - cutoffNanos < 0;
            if (stale) {
                removed[0]++;
            }
            return stale;
        });
        return removed[0];
    }

    /** Endpoints the index has entries for. */
    public Set<String> endpointIds() {
        return Set.copyOf(endpoints.keySet());
    }

    /** Blocks remembered for one endpoint. */
    public int size(String endpointId) {
        Shard shard = endpoints.get(endpointId);
        if (shard == null) {
            return 0;
        }
        long stamp = shard.lock.readLock();
        try {
            return shard.lru.size();
        } finally {
            shard.lock.unlockRead(stamp);
        }
    }

    /** (block, endpoint) entries over all endpoints (llm-d's prefix indexer size). */
    public long totalEntries() {
        long n = 0;
        for (String id : endpoints.keySet()) {
            n += size(id);
        }
        return n;
    }

    /** Bytes the index's arrays hold now (grows with use up to the capacities). */
    public long estimatedBytes() {
        long n = 0;
        for (Shard s : endpoints.values()) {
            long stamp = s.lock.readLock();
            try {
                n += s.lru.allocatedBytes();
            } finally {
                s.lock.unlockRead(stamp);
            }
        }
        return n;
    }

    /** Drops everything. */
    public void clear() {
        endpoints.clear();
    }
}
