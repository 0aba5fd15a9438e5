package dev.jetway.kvcache.index.precise;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Speculative entries: a multimap request key → (endpoint, tier, expiry) as two primitive arrays with linear
 * probing. (Confirmed entries live in {@link EndpointMaskTable}; speculative ones need a per-entry expiry.)
 *
 * <p>Each slot is 16 bytes: the request key ({@code long}) and a packed value ({@code long}: endpoint id 16 bits,
 * tier 2 bits, speculative flag, present flag, a 32-bit stamp). A key held by several endpoints or tiers occupies one
 * slot per (endpoint, tier), all in the probe cluster that starts at the key's home slot.
 *
 * <p>Concurrency: one writer at a time (the caller holds the index's write lock); any number of readers without
 * locks. A slot's key is written before its value (release) and never changes while the slot array is in use;
 * readers read the value first (acquire), so they always see the key that belongs to it. Removal leaves a tombstone
 * (reused only by the same key) instead of shifting entries, so a reader never misses an entry that a concurrent
 * removal moved. Growth and tombstone purges build a new array pair and publish it through a volatile field;
 * readers holding the old pair see a frozen, consistent snapshot.
 */
final class BlockEntryTable {

    static final long EMPTY = 0L;
    static final long TOMBSTONE = -1L;
    static final int MAX_ENDPOINTS = 1 << 16;

    private static final long SPECULATIVE = 1L << 18;
    private static final long PRESENT = 1L << 19;
    private static final long ENDPOINT_AND_TIER = 0x3FFFFL;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    /** Live plus tombstone slots stay at or under 3/4 of the capacity, so every probe ends at an empty slot. */
    private static final int MAX_USED_PERCENT = 75;

    private record Slots(long[] keys, long[] values, int mask, int shift) {
        static Slots withCapacity(int capacity) {
            return new Slots(new long[capacity], new long[capacity], capacity - 1,
                    64 - Integer.numberOfTrailingZeros(capacity));
        }

        int home(long key) {
            return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
        }
    }

    private volatile Slots slots;
    private int live;
    private int used;

    BlockEntryTable(int initialCapacity) {
        slots = Slots.withCapacity(Math.max(16, Integer.highestOneBit(Math.max(1, initialCapacity - 1)) << 1));
    }

    static long pack(int endpoint, Tier tier, boolean speculative, int stamp) {
        return PRESENT | (speculative ? SPECULATIVE : 0) | ((long) tier.ordinal() << 16) | endpoint
                | ((long) stamp << 32);
    }

    static int endpoint(long value) {
        return (int) (value & 0xFFFF);
    }

    static int tierCode(long value) {
        return (int) ((value >>> 16) & 3);
    }

    static boolean speculative(long value) {
        return (value & SPECULATIVE) != 0;
    }

    static int stamp(long value) {
        return (int) (value >>> 32);
    }

    int live() {
        return live;
    }

    int capacity() {
        return slots.keys.length;
    }

    /**
     * Copies the live values stored under {@code key} into {@code out}; returns how many there are (which may exceed
     * {@code out.length}: only the first {@code out.length} are copied). Lock-free.
     */
    int values(long key, long[] out) {
        Slots s = slots;
        long[] keys = s.keys;
        long[] values = s.values;
        int count = 0;
        for (int i = s.home(key); ; i = (i + 1) & s.mask) {
            long v = (long) SLOT.getAcquire(values, i);
            if (v == EMPTY) {
                return count;
            }
            if (v != TOMBSTONE && keys[i] == key) {
                if (count < out.length) {
                    out[count] = v;
                }
                count++;
            }
        }
    }

    /** The value of (key, endpoint, tier), or {@link #EMPTY}. */
    long get(long key, int endpoint, Tier tier) {
        Slots s = slots;
        long id = ((long) tier.ordinal() << 16) | endpoint;
        for (int i = s.home(key); ; i = (i + 1) & s.mask) {
            long v = (long) SLOT.getAcquire(s.values, i);
            if (v == EMPTY) {
                return EMPTY;
            }
            if (v != TOMBSTONE && s.keys[i] == key && (v & ENDPOINT_AND_TIER) == id) {
                return v;
            }
        }
    }

    /** Whether the endpoint holds the key confirmed by an event (any tier), as opposed to only speculatively. */
    boolean hasConfirmed(long key, int endpoint) {
        Slots s = slots;
        for (int i = s.home(key); ; i = (i + 1) & s.mask) {
            long v = (long) SLOT.getAcquire(s.values, i);
            if (v == EMPTY) {
                return false;
            }
            if (v != TOMBSTONE && s.keys[i] == key && endpoint(v) == endpoint && !speculative(v)) {
                return true;
            }
        }
    }

    /**
     * Inserts or replaces the (key, endpoint, tier) entry. A speculative write never downgrades a confirmed entry.
     * Writer only. Returns the previous value or {@link #EMPTY}.
     */
    long put(long key, int endpoint, Tier tier, boolean speculative, int stamp) {
        if ((used + 1) * 100L > (long) capacity() * MAX_USED_PERCENT) {
            rehash();
        }
        Slots s = slots;
        long value = pack(endpoint, tier, speculative, stamp);
        long id = value & ENDPOINT_AND_TIER;
        int reusable = -1;
        int i = s.home(key);
        for (; ; i = (i + 1) & s.mask) {
            long v = s.values[i];
            if (v == EMPTY) {
                break;
            }
            if (s.keys[i] == key) {
                if (v == TOMBSTONE) {
                    if (reusable < 0) {
                        reusable = i;
                    }
                } else if ((v & ENDPOINT_AND_TIER) == id) {
                    if (speculative && !speculative(v)) {
                        return v;
                    }
                    SLOT.setRelease(s.values, i, value);
                    return v;
                }
            }
        }
        if (reusable >= 0) {
            SLOT.setRelease(s.values, reusable, value);
        } else {
            s.keys[i] = key;
            SLOT.setRelease(s.values, i, value);
            used++;
        }
        live++;
        return EMPTY;
    }

    /** Removes the (key, endpoint, tier) entry; true if it existed. Writer only. */
    boolean remove(long key, int endpoint, Tier tier) {
        Slots s = slots;
        long id = ((long) tier.ordinal() << 16) | endpoint;
        for (int i = s.home(key); ; i = (i + 1) & s.mask) {
            long v = s.values[i];
            if (v == EMPTY) {
                return false;
            }
            if (v != TOMBSTONE && s.keys[i] == key && (v & ENDPOINT_AND_TIER) == id) {
                SLOT.setRelease(s.values, i, TOMBSTONE);
                live--;
                return true;
            }
        }
    }

    /** Removes every entry of the endpoint under the key (all tiers, speculative or not); returns how many. */
    int removeEndpoint(long key, int endpoint) {
        Slots s = slots;
        int removed = 0;
        for (int i = s.home(key); ; i = (i + 1) & s.mask) {
            long v = s.values[i];
            if (v == EMPTY) {
                live -= removed;
                return removed;
            }
            if (v != TOMBSTONE && s.keys[i] == key && endpoint(v) == endpoint) {
                SLOT.setRelease(s.values, i, TOMBSTONE);
                removed++;
            }
        }
    }

    /** Removes the speculative GPU entry of (key, endpoint) if it still carries {@code stamp}. */
    boolean removeSpeculative(long key, int endpoint, int stamp) {
        long v = get(key, endpoint, Tier.GPU);
        if (v != EMPTY && speculative(v) && stamp(v) == stamp) {
            return remove(key, endpoint, Tier.GPU);
        }
        return false;
    }

    /** Tombstones every live entry the filter selects; returns how many. Writer only; O(capacity). */
    int removeIf(ValueFilter filter) {
        Slots s = slots;
        int removed = 0;
        for (int i = 0; i < s.values.length; i++) {
            long v = s.values[i];
            if (v != EMPTY && v != TOMBSTONE && filter.test(v)) {
                SLOT.setRelease(s.values, i, TOMBSTONE);
                removed++;
            }
        }
        live -= removed;
        return removed;
    }

    /** A test over a packed value. */
    @FunctionalInterface
    interface ValueFilter {
        boolean test(long value);
    }

    /** Rebuilds into a fresh array pair: twice as large if live entries fill over half, else same size (purge). */
    private void rehash() {
        Slots old = slots;
        int capacity = old.keys.length;
        while ((long) live * 2 > capacity) {
            capacity <<= 1;
        }
        if (capacity == old.keys.length && (long) live * 100 > (long) capacity * MAX_USED_PERCENT / 2) {
            capacity <<= 1;
        }
        if (capacity <= 0) {
            throw new IllegalStateException("precise prefix index table cannot grow beyond 2^30 slots");
        }
        Slots fresh = Slots.withCapacity(capacity);
        for (int i = 0; i < old.values.length; i++) {
            long v = old.values[i];
            if (v != EMPTY && v != TOMBSTONE) {
                long key = old.keys[i];
                int j = fresh.home(key);
                while (fresh.values[j] != EMPTY) {
                    j = (j + 1) & fresh.mask;
                }
                fresh.keys[j] = key;
                fresh.values[j] = v;
            }
        }
        used = live;
        slots = fresh;
    }
}
