package dev.jetway.scheduler.sync;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Routing records waiting for the next digest, bounded in block keys: when peers stop draining it (none reachable),
 * the oldest records go first and are counted, so memory stays bounded and routing never waits on it.
 */
public final class RoutingJournal {

    /** 1M keys, 8 MB: minutes of routing at thousands of requests per second. */
    public static final long DEFAULT_MAX_KEYS = 1 << 20;

    private final long maxKeys;
    private final ArrayDeque<RoutedBlocks> records = new ArrayDeque<>();
    private long keys;
    private long dropped;

    public RoutingJournal(long maxKeys) {
        if (maxKeys <= 0) {
            throw new IllegalArgumentException("maxKeys must be positive: " + maxKeys);
        }
        this.maxKeys = maxKeys;
    }

    /** Adds a record; the keys array is kept, not copied (callers hand over arrays they no longer change). */
    public synchronized void add(RoutedBlocks record) {
        records.addLast(record);
        keys += record.keys().length;
        while (keys > maxKeys && records.size() > 1) {
            keys -= records.removeFirst().keys().length;
            dropped++;
        }
    }

    /** Takes everything recorded so far. */
    public synchronized Drained drain() {
        Drained d = new Drained(new ArrayList<>(records), dropped);
        records.clear();
        keys = 0;
        dropped = 0;
        return d;
    }

    /** The records taken by {@link #drain} and how many were dropped before it. */
    public record Drained(List<RoutedBlocks> records, long dropped) {
    }
}
