package dev.jetway.kvcache.index.precise;

import java.util.ArrayDeque;

/**
 * Speculative entries awaiting confirmation, oldest first, kept apart from confirmed entries because each carries
 * its own expiry. The TTL is the same for all, so expiry order is insertion
 * order and expiring is a pop from the head. Used under the index's write lock.
 */
final class SpeculativeEntries {

    private record Pending(int endpoint, long[] keys, int stamp, long deadlineNanos) {
    }

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long inserted;
    private long confirmed;
    private long expired;

    /** Writes speculative GPU entries expiring at {@code stamp}, except for blocks the endpoint holds confirmed. */
    void add(EndpointMaskTable confirmed, BlockEntryTable table, int endpoint, long[] keys, int stamp,
             long deadlineNanos) {
        for (long key : keys) {
            if (confirmed.contains(key, endpoint)) {
                continue;
            }
            if (table.put(key, endpoint, Tier.GPU, true, stamp) == BlockEntryTable.EMPTY) {
                inserted++;
            }
        }
        pending.addLast(new Pending(endpoint, keys, stamp, deadlineNanos));
    }

    void confirmed() {
        confirmed++;
    }

    /** Removes the entries whose TTL passed and that no event confirmed meanwhile. */
    void expire(BlockEntryTable table, long nowNanos) {
        while (!pending.isEmpty() && pending.peekFirst().deadlineNanos() - nowNanos <= 0) {
            Pending p = pending.pollFirst();
            for (long key : p.keys()) {
                if (table.removeSpeculative(key, p.endpoint(), p.stamp())) {
                    expired++;
                }
            }
        }
    }

    long inserted() {
        return inserted;
    }

    long confirmedCount() {
        return confirmed;
    }

    long expired() {
        return expired;
    }
}
