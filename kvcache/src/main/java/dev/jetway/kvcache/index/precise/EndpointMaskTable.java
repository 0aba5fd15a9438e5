package dev.jetway.kvcache.index.precise;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Confirmed entries: request key → which endpoints hold the block, per tier, as 64-bit endpoint masks.
 *
 * <p>A slot is two adjacent longs in one array (16 bytes): a header (the request key's top 50 bits, a present bit, and
 * 12 bits naming the group of 64 endpoint ids and the tier) and the endpoint mask. A key held by any of the first 64
 * endpoints in one tier takes one slot, so a lookup reads one bucket per block and intersects masks instead of visiting
 * every (block, endpoint) pair. Keeping 50 of the key's 64 bits makes a false match of two different prefixes a 2^-50
 * event per stored block.
 *
 * <p>Slots form buckets of 4 (64 bytes): a key's probe starts at the first slot of its home bucket and runs on
 * linearly, so the slots of a bucket fill in order and a bucket whose last slot is empty holds every key homed there.
 * A lookup reads a key's whole bucket at once ({@link #heldGpuOnly}); only keys displaced past a full
 * bucket (under a tenth of the most recently stored keys in a table 40% full) probe on.
 *
 * <p>Concurrency: one writer at a time (the caller holds the index's write lock), lock-free readers. A new slot's mask
 * is written before its header (release), so a present slot's key is always the one it was created with. Mask changes
 * are single 64-bit writes. A slot whose mask became 0 stays (a tombstone reusable by the same key, group and tier)
 * until the next rebuild, so no entry ever moves under a reader. Rebuilds publish a fresh array through a volatile
 * field.
 *
 * <p>Eviction is CLOCK over slots: storing into a slot sets its referenced bit (in a bitmap beside the slots, so a
 * header never changes and a lookup compares it whole); the hand clears set bits and evicts slots whose bit is already
 * clear, approximating least-recently-stored.
 */
final class EndpointMaskTable {

    static final int GROUP_BITS = 6;

    private static final long EMPTY = 0L;
    private static final long IDENTITY = 0xFFFL;
    private static final long PRESENT = 1L << 13;
    private static final long KEY_BITS = ~0x3FFFL;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int MAX_USED_PERCENT = 75;
    private static final int BUCKET_BITS = 2;
    private static final int BUCKET = 1 << BUCKET_BITS;

    /**
     * {@code words[2i]} header, {@code words[2i+1]} mask of slot i. Slots form buckets of {@link #BUCKET}: a key's probe
     * starts at its home bucket's first slot and runs on linearly.
     */
    record Slots(long[] words, long[] referenced, int mask, int shift) {
        static Slots withCapacity(int capacity) {
            return new Slots(new long[2 * capacity], new long[Math.max(1, capacity >>> 6)], capacity - 1,
                    64 - Integer.numberOfTrailingZeros(capacity));
        }

        int capacity() {
            return mask + 1;
        }

        /**
         * First slot of the key's home bucket (buckets are {@link #BUCKET} consecutive slots): the key's top bits, which
         * the header keeps, so a rebuild rehomes from headers alone. Request keys are xxHash64 values, spread evenly
         * already; mixing them again (a multiply) measurably lengthened every lookup.
         */
        int home(long key) {
            return (int) (key >>> (shift + BUCKET_BITS)) << BUCKET_BITS;
        }
    }

    private volatile Slots slots;
    /** Set once any entry outside the GPU tier was stored; until then lookups can skip per-tier accounting. */
    private volatile boolean tiered;
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

    private static long header(long key, int identity) {
        return (key & KEY_BITS) | PRESENT | identity;
    }

    /** (block, endpoint, tier) entries held. */
    long entries() {
        return entries;
    }

    int capacity() {
        return slots.capacity();
    }

    long bytes() {
        Slots s = slots;
        return 8L * s.words.length + 8L * s.referenced.length;
    }

    /**
     * Reads the non-empty masks stored under {@code key} into {@code identities}/{@code masks}; returns how many
     * there are (only the first {@code masks.length} are copied). Lock-free.
     */
    int read(long key, int[] identities, long[] masks) {
        Slots s = slots;
        long[] w = s.words;
        long wanted = (key & KEY_BITS) | PRESENT;
        int count = 0;
        for (int i = s.home(key); ; i = (i + 1) & s.mask) {
            long h = (long) SLOT.getAcquire(w, 2 * i);
            if (h == EMPTY) {
                return count;
            }
            if ((h & (KEY_BITS | PRESENT)) == wanted) {
                long m = (long) SLOT.getAcquire(w, 2 * i + 1);
                if (m != 0) {
                    if (count < masks.length) {
                        identities[count] = (int) (h & IDENTITY);
                        masks[count] = m;
                    }
                    count++;
                }
            }
        }
    }

    /**
     * ORs the masks stored under {@code key} into {@code holders[tier * groups + group]} (groups at or beyond
     * {@code groups} are skipped: endpoints added after the caller sized its arrays). Lock-free.
     */
    void collect(long key, long[] holders, int groups) {
        Slots s = slots;
        long[] w = s.words;
        long wanted = (key & KEY_BITS) | PRESENT;
        for (int i = s.home(key); ; i = (i + 1) & s.mask) {
            long h = (long) SLOT.getAcquire(w, 2 * i);
            if (h == EMPTY) {
                return;
            }
            if ((h & (KEY_BITS | PRESENT)) == wanted) {
                int group = (int) ((h & IDENTITY) >>> 2);
                if (group < groups) {
                    holders[(int) (h & 3) * groups + group] |= (long) SLOT.getAcquire(w, 2 * i + 1);
                }
            }
        }
    }

    /**
     * The slot array of this moment, for {@link #heldGpuOnly}: one lookup reads one array, and an array a rebuild
     * replaced stays valid to read (it is only dropped), so a lookup never sees a half-moved table.
     */
    Slots view() {
        return slots;
    }

    /**
     * The endpoints of {@code group} (bit i: endpoint {@code 64 * group + i}) holding the key, exactly, in a table that
     * holds GPU entries only ({@link #tiered()} false, so a key has at most one slot per group). Lock-free; see
     * {@link #bucketHeld} for how it reads.
     */
    static long heldGpuOnly(Slots view, long key, int group) {
        long wanted = (key & KEY_BITS) | PRESENT | ((long) group << 2); // GPU tier: the tier bits are zero
        return bucketHeld(view.words, view.shift + BUCKET_BITS, view.mask, key, wanted);
    }

    /**
     * Reads the key's whole home bucket (header and mask of its 4 slots, one or two cache lines) and keeps the mask of
     * the slot whose header is {@code wanted}, without a probe loop whose length branch would mispredict. Plain reads
     * suffice: a slot keeps its key until a rebuild publishes a fresh array, and a new slot's mask is written before
     * its header, so a read racing an update sees the block either before or after it. Only a key missing from a
     * full bucket (displaced to a later one, a tombstone, or not held at all) probes on.
     */
    private static long bucketHeld(long[] w, int bucketShift, int mask, long key, long wanted) {
        int home = (int) (key >>> bucketShift) << BUCKET_BITS;
        int at = 2 * home;
        long h0 = w[at];
        long m0 = w[at + 1];
        long h1 = w[at + 2];
        long m1 = w[at + 3];
        long h2 = w[at + 4];
        long m2 = w[at + 5];
        long h3 = w[at + 6];
        long m3 = w[at + 7];
        long held = h0 == wanted ? m0 : 0;
        held = h1 == wanted ? m1 : held;
        held = h2 == wanted ? m2 : held;
        held = h3 == wanted ? m3 : held;
        if (held == 0 && h3 != EMPTY) {
            return probeOn(w, mask, (home + BUCKET) & mask, wanted);
        }
        return held;
    }

    private static long probeOn(long[] w, int mask, int from, long wanted) {
        long held = 0;
        for (int i = from; ; i = (i + 1) & mask) {
            long h = (long) SLOT.getAcquire(w, 2 * i);
            if (h == EMPTY) {
                return held;
            }
            if ((h & (KEY_BITS | PRESENT | (IDENTITY & ~3L))) == wanted) {
                held |= (long) SLOT.getAcquire(w, 2 * i + 1);
            }
        }
    }

    /**
     * Reads the home slot of each of {@code keys[0..count)} and returns a value depending on all of them (the caller
     * keeps it, so the reads are not optimised away). The reads are independent, so their cache misses overlap; the
     * writer calls this before updating a batch of blocks, whose probes then find their lines in cache instead of
     * waiting for each miss in turn.
     */
    long touchHomes(long[] keys, int count) {
        Slots s = slots;
        long[] w = s.words;
        long sum = 0;
        for (int j = 0; j < count; j++) {
            sum += w[2 * s.home(keys[j])];
        }
        return sum;
    }

    /** Whether an entry outside the GPU tier was ever stored. */
    boolean tiered() {
        return tiered;
    }

    /** Whether the endpoint holds the key in any tier. */
    boolean contains(long key, int endpoint) {
        Slots s = slots;
        long[] w = s.words;
        long wanted = (key & KEY_BITS) | PRESENT | ((long) (endpoint >>> GROUP_BITS) << 2);
        long bit = 1L << (endpoint & 63);
        for (int i = s.home(key); ; i = (i + 1) & s.mask) {
            long h = (long) SLOT.getAcquire(w, 2 * i);
            if (h == EMPTY) {
                return false;
            }
            // compare everything but the tier
            if ((h & ~3L) == wanted && ((long) SLOT.getAcquire(w, 2 * i + 1) & bit) != 0) {
                return true;
            }
        }
    }

    /** Marks the endpoint as holding the key in the tier; true if it did not before. Writer only. */
    boolean add(long key, int endpoint, Tier tier) {
        if (tier != Tier.GPU && !tiered) {
            tiered = true;
        }
        if ((used + 1) * 100L > (long) capacity() * MAX_USED_PERCENT) {
            rebuild();
        }
        Slots s = slots;
        long[] w = s.words;
        long wanted = header(key, identity(endpoint >>> GROUP_BITS, tier));
        long bit = 1L << (endpoint & 63);
        int i = s.home(key);
        for (; ; i = (i + 1) & s.mask) {
            long h = w[2 * i];
            if (h == EMPTY) {
                break;
            }
            if (h == wanted) {
                markReferenced(s, i);
                long m = w[2 * i + 1];
                if ((m & bit) != 0) {
                    return false;
                }
                SLOT.setRelease(w, 2 * i + 1, m | bit);
                entries++;
                return true;
            }
        }
        w[2 * i + 1] = bit;
        SLOT.setRelease(w, 2 * i, wanted);
        markReferenced(s, i);
        used++;
        entries++;
        return true;
    }

    /** Clears the endpoint's bit for the key in the tier; true if it was set. Writer only. */
    boolean remove(long key, int endpoint, Tier tier) {
        Slots s = slots;
        long[] w = s.words;
        long wanted = header(key, identity(endpoint >>> GROUP_BITS, tier));
        long bit = 1L << (endpoint & 63);
        for (int i = s.home(key); ; i = (i + 1) & s.mask) {
            long h = w[2 * i];
            if (h == EMPTY) {
                return false;
            }
            if (h == wanted) {
                long m = w[2 * i + 1];
                if ((m & bit) == 0) {
                    return false;
                }
                SLOT.setRelease(w, 2 * i + 1, m & ~bit);
                entries--;
                return true;
            }
        }
    }

    /** Outcome bits of {@link #removeAndCheck}. */
    static final int REMOVED = 1;
    static final int STILL_HELD = 2;

    /**
     * Clears the endpoint's bit for the key in the tier ({@link #REMOVED} if it was set) and says from the same probe
     * whether the endpoint still holds the key in another tier ({@link #STILL_HELD}): what {@link #remove} then
     * {@link #contains} would answer, in one pass that stops at the key's slot while only the GPU tier exists. Writer
     * only.
     */
    int removeAndCheck(long key, int endpoint, Tier tier) {
        Slots s = slots;
        long[] w = s.words;
        long group = endpoint >>> GROUP_BITS;
        long wanted = header(key, identity((int) group, tier));
        long sameKeyAndGroup = (key & KEY_BITS) | PRESENT | (group << 2);
        long bit = 1L << (endpoint & 63);
        boolean onlyGpuTier = !tiered;
        int outcome = 0;
        for (int i = s.home(key); ; i = (i + 1) & s.mask) {
            long h = w[2 * i];
            if (h == EMPTY) {
                return outcome;
            }
            if ((h & ~3L) != sameKeyAndGroup) {
                continue;
            }
            long m = w[2 * i + 1];
            if (h == wanted) {
                if ((m & bit) != 0) {
                    SLOT.setRelease(w, 2 * i + 1, m & ~bit);
                    entries--;
                    outcome |= REMOVED;
                }
                if (onlyGpuTier) {
                    return outcome; // the key's only slot for this group of endpoints
                }
            } else if ((m & bit) != 0) {
                outcome |= STILL_HELD;
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
        long[] w = s.words;
        long group = endpoint >>> GROUP_BITS;
        long bit = 1L << (endpoint & 63);
        long removed = 0;
        for (int i = 0; i < s.capacity(); i++) {
            long h = w[2 * i];
            if (h != EMPTY && ((h & IDENTITY) >>> 2) == group && (w[2 * i + 1] & bit) != 0) {
                SLOT.setRelease(w, 2 * i + 1, w[2 * i + 1] & ~bit);
                removed++;
            }
        }
        entries -= removed;
        return removed;
    }

    /** Sets the CLOCK bit of slot {@code i}; kept apart from the header so a lookup compares headers whole. */
    private static void markReferenced(Slots s, int i) {
        s.referenced[i >>> 6] |= 1L << i;
    }

    /** Evicts slots by CLOCK until at most {@code target} entries remain; returns how many entries went. */
    long evictDownTo(long target) {
        Slots s = slots;
        long[] w = s.words;
        long removed = 0;
        int capacity = s.capacity();
        for (int steps = 0; entries > target && steps < 2 * capacity + 1; steps++) {
            int i = clockHand;
            clockHand = (clockHand + 1) & s.mask;
            long h = w[2 * i];
            long m = w[2 * i + 1];
            if (h == EMPTY || m == 0) {
                continue;
            }
            long[] referenced = s.referenced;
            long bit = 1L << i;
            if ((referenced[i >>> 6] & bit) != 0) {
                referenced[i >>> 6] &= ~bit;
                continue;
            }
            SLOT.setRelease(w, 2 * i + 1, 0L);
            entries -= Long.bitCount(m);
            removed += Long.bitCount(m);
        }
        return removed;
    }

    /** Rebuilds into a fresh array without empty-mask slots, at most half full afterwards. */
    private void rebuild() {
        Slots old = slots;
        long[] ow = old.words;
        int live = 0;
        for (int i = 0; i < old.capacity(); i++) {
            if (ow[2 * i] != EMPTY && ow[2 * i + 1] != 0) {
                live++;
            }
        }
        int capacity = old.capacity();
        while ((long) live * 2 > capacity) {
            capacity <<= 1;
        }
        if (capacity == old.capacity() && (long) live * 100 > (long) capacity * MAX_USED_PERCENT / 2) {
            capacity <<= 1; // a purge alone would leave too little room before the next rebuild
        }
        if (capacity <= 0 || capacity > (1 << 29)) {
            throw new IllegalStateException("precise prefix index table cannot grow beyond 2^29 slots");
        }
        Slots fresh = Slots.withCapacity(capacity);
        long[] fw = fresh.words;
        for (int i = 0; i < old.capacity(); i++) {
            long h = ow[2 * i];
            if (h != EMPTY && ow[2 * i + 1] != 0) {
                int j = fresh.home(h);
                while (fw[2 * j] != EMPTY) {
                    j = (j + 1) & fresh.mask;
                }
                fw[2 * j] = h;
                fw[2 * j + 1] = ow[2 * i + 1];
                fresh.referenced[j >>> 6] |= (old.referenced[i >>> 6] >>> i & 1L) << j;
            }
        }
        used = live;
        clockHand = 0;
        slots = fresh;
    }
}
