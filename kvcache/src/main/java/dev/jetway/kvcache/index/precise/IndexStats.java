package dev.jetway.kvcache.index.precise;

/**
 * Size and housekeeping counters of the whole index.
 *
 * @param entries               live (block, endpoint, tier) entries, speculative ones included
 * @param tableSlots            slots of the confirmed-entry table (16 bytes each)
 * @param approxBytes           bytes of the primitive arrays: entry table plus every endpoint's engine-key map
 * @param evictedEntries        entries dropped because {@code maxEntries} was reached
 * @param speculativeInserted   speculative entries written by {@code speculate}
 * @param speculativeConfirmed  speculative entries a BlockStored turned into confirmed ones
 * @param speculativeExpired    speculative entries removed after their TTL without confirmation
 */
public record IndexStats(long entries, int tableSlots, long approxBytes, long evictedEntries, long speculativeInserted,
                         long speculativeConfirmed, long speculativeExpired) {

    /** Bytes per live entry (NaN when empty). */
    public double bytesPerEntry() {
        return entries == 0 ? Double.NaN : (double) approxBytes / entries;
    }
}
