package dev.jetway.kvcache.index.precise;

import java.util.function.IntSupplier;

/**
 * One lookup's reader of speculative entries: ORs a key's unexpired speculative holders into GPU masks. Created per
 * lookup (it keeps the lookup's clock stamp and a reusable buffer), and only when speculative entries exist.
 */
final class SpeculativeHolders {

    private final BlockEntryTable table;
    private final int endpoints;
    private final int nowStamp;
    private long[] buffer = new long[16];

    private SpeculativeHolders(BlockEntryTable table, int endpoints, int nowStamp) {
        this.table = table;
        this.endpoints = endpoints;
        this.nowStamp = nowStamp;
    }

    /** A reader for one lookup over {@code endpoints} ids, or null when the table holds no speculative entry. */
    static SpeculativeHolders of(BlockEntryTable table, int endpoints, IntSupplier clockStamp) {
        return table.live() > 0 ? new SpeculativeHolders(table, endpoints, clockStamp.getAsInt()) : null;
    }

    /**
     * ORs the unexpired speculative holders of {@code key} into {@code gpuMasks[group]} (GPU masks come first); holders
     * in groups beyond the array are left out.
     */
    void orInto(long key, long[] gpuMasks) {
        int count = table.values(key, buffer);
        if (count > buffer.length) {
            buffer = new long[Integer.highestOneBit(count) << 1];
            count = Math.min(buffer.length, table.values(key, buffer));
        }
        for (int i = 0; i < count; i++) {
            long v = buffer[i];
            int ep = BlockEntryTable.endpoint(v);
            if (ep < endpoints && (ep >>> 6) < gpuMasks.length && BlockEntryTable.stamp(v) - nowStamp > 0) {
                gpuMasks[ep >>> 6] |= 1L << (ep & 63);
            }
        }
    }
}
