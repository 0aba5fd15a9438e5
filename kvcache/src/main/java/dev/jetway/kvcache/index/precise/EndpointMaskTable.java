package dev.jetway.kvcache.index.precise;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Confirmed entries: request key → which endpoints hold the block, per tier, as 64-bit endpoint masks.
 *
 * <p>A slot is (key {@code long}, endpoint mask {@code long}, meta {@code short}) = 18 bytes; meta names the group of
 * 64 endpoint ids the mask covers and the tier. A key held by any number of the first 64 endpoints in one tier takes
 * one slot, so a lookup reads one short probe cluster per block and intersects masks instead of visiting every
 * (block, endpoint) pair.
 *
 * <p>Concurrency: one writer at a time (the caller holds the index's write lock), lock-free readers. A new slot's key
 * and mask are written before its meta (release); readers read meta first (acquire), so a present slot's key is
 * always the one it was created with. Mask changes are single 64-bit writes (release/acquire). A slot whose mask
 * became 0 stays (as a tombstone reusable by the same key, group and tier) until the next rebuild, so no entry ever
 * moves under a reader. Rebuilds publish a fresh array triple through a volatile field.
 *
 * <p>Eviction is CLOCK over slots: storing into a slot sets its referenced bit; the hand clears set bits and evicts
 * slots whose bit is already clear, approximating least-recently-stored.
 */
final class EndpointMaskTable {

    static final int GROUP_BITS = 6;
    static final int MAX_GROUPS = 1 << 10;

    private static final short EMPTY = 0;
    private static final int PRESENT = 0x8000;
    private static final int REFERENCED = 0x4000;
    private static final int IDENTITY = 0x0FFF;
    private static final VarHandle LONG_SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle SHORT_SLOT = MethodHandles.arrayElementVarHandle(short[].class);
    private static final int MAX_USED_PERCENT = 75;

    private record Slots(long[] keys, long[] masks, short[] meta, int mask, int shift) {
        static Slots withCapacity(int capacity) {
            return new Slots(new long[capacity], new long[capacity], new short[capacity], capacity - 1,
                    64 - Integer.numberOfTrailingZeros(capacity));
        }

        int home(long key) {
            return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
        }
    }

    private volatile Slots slots;
    private int used;
    private long entries;
    private int clockHand;

    EndpointMaskTable(int initialCapacity) {
        slots = Slots.withCapacity(Math.max(16, Integer.highestOneBit(Math.max(1, initialCapacity - 1)) << 1));
    }

    static int identity(int group, Tier tier) {
        return (group << 2) | tier.ordinal();
    }

    static int groupOf(int identity) {
        return identity >>> 2;
    }

    static int tierCodeOf(int identity) {
        return identity & 3;
    }

    /** (block, endpoint, tier) entries held. */
    long entries() {
        return entries;
    }

    int capacity() {
        return slots.keys.length;
    }

    long bytes() {
        return 18L * capacity();
    }

    /**
     * Reads the non-empty masks stored under {@code key} into {@code identities}/{@code masks}; returns how many
     * there are (only the first {@code masks.length} are copied). Lock-free.
     */
    int read(long key, int[] identities, long[] masks) {
        Slots s = slots;
        int count = 0;
        for (int i = s.home(key); ; i = (i + 1) & s.mask) {
            int meta = (short) SHORT_SLOT.getAcquire(s.meta, i);
            if (meta == EMPTY) {
                return count;
            }
            if (s.keys[i] == key) {
                long m = (long) LONG_SLOT.getAcquire(s.masks, i);
                if (m != 0) {
                    if (count < masks.length) {
                        identities[count] = meta & IDENTITY;
                        masks[count] = m;
                    }
                    count++;
                }
            }
        }
    }

    /** Whether the endpoint holds the key in any tier. */
    boolean contains(long key, int endpoint) {
        Slots s = slots;
        int group = endpoint >>> GROUP_BITS;
        long bit = 1L << (endpoint & 63);
        for (int i = s.home(key); ; i = (i + 1) & s.mask) {
            int meta = (short) SHORT_SLOT.getAcquire(s.meta, i);
            if (meta == EMPTY) {
                return false;
            }
            if (s.keys[i] == key && groupOf(meta & IDENTITY) == group
                    && ((long) LONG_SLOT.getAcquire(s.masks, i) & bit) != 0) {
                return true;
            }
        }
    }

    /** Marks the endpoint as holding the key in the tier; true if it did not before. Writer only. */
    boolean add(long key, int endpoint, Tier tier) {
        if ((used + 1) * 100L > (long) capacity() * MAX_USED_PERCENT) {
            rebuild();
        }
        Slots s = slots;
        int id = identity(endpoint >>> GROUP_BITS, tier);
        long bit = 1L << (endpoint & 63);
        int i = s.home(key);
        for (; ; i = (i + 1) & s.mask) {
            int meta = s.meta[i];
            if (meta == EMPTY) {
                break;
            }
            if (s.keys[i] == key && (meta & IDENTITY) == id) {
                s.meta[i] = (short) (meta | REFERENCED); // readers ignore this bit
                long m = s.masks[i];
                if ((m & bit) != 0) {
                    return false;
                }
                LONG_SLOT.setRelease(s.masks, i, m | bit);
                entries++;
                return true;
            }
        }
        s.keys[i] = key;
        s.masks[i] = bit;
        SHORT_SLOT.setRelease(s.meta, i, (short) (PRESENT | REFERENCED | id));
        used++;
        entries++;
        return true;
    }

    /** Clears the endpoint's bit for the key in the tier; true if it was set. Writer only. */
    boolean remove(long key, int endpoint, Tier tier) {
        Slots s = slots;
        int id = identity(endpoint >>> GROUP_BITS, tier);
        long bit = 1L << (endpoint & 63);
        for (int i = s.home(key); ; i = (i + 1) & s.mask) {
            int meta = s.meta[i];
            if (meta == EMPTY) {
                return false;
            }
            if (s.keys[i] == key && (meta & IDENTITY) == id) {
                long m = s.masks[i];
                if ((m & bit) == 0) {
                    return false;
                }
                LONG_SLOT.setRelease(s.masks, i, m & ~bit);
                entries--;
                return true;
            }
        }
    }

    /** Clears the endpoint's bit for the key in every tier; returns how many entries that removed. */
    int removeEndpoint(long key, int endpoint) {
        int removed = 0;
        for (Tier tier : Tier.values()) {
            removed += remove(key, endpoint, tier) ? 1 : 0;
        }
        return removed;
    }

    /** Clears the endpoint's bit everywhere. O(capacity). */
    long removeEndpointEverywhere(int endpoint) {
        Slots s = slots;
        int group = endpoint >>> GROUP_BITS;
        long bit = 1L << (endpoint & 63);
        long removed = 0;
        for (int i = 0; i < s.meta.length; i++) {
            int meta = s.meta[i];
            if (meta != EMPTY && groupOf(meta & IDENTITY) == group && (s.masks[i] & bit) != 0) {
                LONG_SLOT.setRelease(s.masks, i, s.masks[i] & ~bit);
                removed++;
            }
        }
        entries -= removed;
        return removed;
    }

    /** Evicts slots by CLOCK until at most {@code target} entries remain; returns how many entries went. */
    long evictDownTo(long target) {
        Slots s = slots;
        long removed = 0;
        int capacity = s.meta.length;
        for (int steps = 0; entries > target && steps < 2 * capacity + 1; steps++) {
            int i = clockHand;
            clockHand = (clockHand + 1) & s.mask;
            int meta = s.meta[i];
            if (meta == EMPTY || s.masks[i] == 0) {
                continue;
            }
            if ((meta & REFERENCED) != 0) {
                s.meta[i] = (short) (meta & ~REFERENCED);
                continue;
            }
            int bits = Long.bitCount(s.masks[i]);
            LONG_SLOT.setRelease(s.masks, i, 0L);
            entries -= bits;
            removed += bits;
        }
        return removed;
    }

    /** Rebuilds into fresh arrays without empty-mask slots, at most half full afterwards. */
    private void rebuild() {
        Slots old = slots;
        int live = 0;
        for (int i = 0; i < old.meta.length; i++) {
            if (old.meta[i] != EMPTY && old.masks[i] != 0) {
                live++;
            }
        }
        int capacity = old.keys.length;
        while ((long) live * 2 > capacity) {
            capacity <<= 1;
        }
        if (capacity == old.keys.length && (long) live * 100 > (long) capacity * MAX_USED_PERCENT / 2) {
            capacity <<= 1; // a purge alone would leave too little room before the next rebuild
        }
        if (capacity <= 0) {
            throw new IllegalStateException("precise prefix index table cannot grow beyond 2^30 slots");
        }
        Slots fresh = Slots.withCapacity(capacity);
        for (int i = 0; i < old.meta.length; i++) {
            if (old.meta[i] != EMPTY && old.masks[i] != 0) {
                long key = old.keys[i];
                int j = fresh.home(key);
                while (fresh.meta[j] != EMPTY) {
                    j = (j + 1) & fresh.mask;
                }
                fresh.keys[j] = key;
                fresh.masks[j] = old.masks[i];
                fresh.meta[j] = old.meta[i];
            }
        }
        used = live;
        clockHand = 0;
        slots = fresh;
    }
}
