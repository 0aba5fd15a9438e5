package dev.jetway.kvcache.index.precise;

/**
 * One endpoint's map engine block hash → Jetway request key: open addressing over one {@code long[]} of adjacent
 * (key, value) pairs (16 bytes a slot, one cache line per probe, at most 3/4 full), backward-shift deletion. Used
 * only by the index's writer, so it needs no synchronisation.
 */
final class EngineKeyMap {

    /** Engine hash 0 is a legal hash but also the empty-slot marker; it is stored aside. */
    private boolean hasZero;
    private long zeroValue;
    /** {@code words[2i]} engine hash (0 = empty), {@code words[2i+1]} request key. */
    private long[] words;
    private int mask;
    private int size;

    EngineKeyMap() {
        this(16);
    }

    EngineKeyMap(int capacity) {
        allocate(Math.max(16, Integer.highestOneBit(Math.max(1, capacity - 1)) << 1));
    }

    private void allocate(int capacity) {
        words = new long[2 * capacity];
        mask = capacity - 1;
    }

    int size() {
        return size + (hasZero ? 1 : 0);
    }

    long capacityBytes() {
        return 8L * words.length;
    }

    private int home(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    /** As {@link EndpointMaskTable#touchHomes}: loads the home slots of a batch of engine hashes in parallel. */
    long touchHomes(long[] engineKeys, int count) {
        long[] w = words;
        long sum = 0;
        for (int j = 0; j < count; j++) {
            sum += w[2 * home(engineKeys[j])];
        }
        return sum;
    }

    /** Whether the engine hash is mapped; its request key is then {@link #get}. */
    boolean contains(long engineKey) {
        if (engineKey == 0) {
            return hasZero;
        }
        return slotOf(engineKey) >= 0;
    }

    long get(long engineKey) {
        if (engineKey == 0) {
            return zeroValue;
        }
        int slot = slotOf(engineKey);
        return slot < 0 ? 0 : words[2 * slot + 1];
    }

    void put(long engineKey, long requestKey) {
        if (engineKey == 0) {
            hasZero = true;
            zeroValue = requestKey;
            return;
        }
        if ((size + 1) * 4L > (mask + 1) * 3L) {
            resize((mask + 1) * 2);
        }
        int i = home(engineKey);
        while (words[2 * i] != 0) {
            if (words[2 * i] == engineKey) {
                words[2 * i + 1] = requestKey;
                return;
            }
            i = (i + 1) & mask;
        }
        words[2 * i] = engineKey;
        words[2 * i + 1] = requestKey;
        size++;
    }

    void remove(long engineKey) {
        if (engineKey == 0) {
            hasZero = false;
            return;
        }
        int i = slotOf(engineKey);
        if (i < 0) {
            return;
        }
        // Backward-shift: pull later members of the cluster into the hole so probes need no tombstones.
        int hole = i;
        for (int j = (hole + 1) & mask; words[2 * j] != 0; j = (j + 1) & mask) {
            int h = home(words[2 * j]);
            boolean movable = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
            if (movable) {
                words[2 * hole] = words[2 * j];
                words[2 * hole + 1] = words[2 * j + 1];
                hole = j;
            }
        }
        words[2 * hole] = 0;
        words[2 * hole + 1] = 0;
        size--;
    }

    void clear() {
        hasZero = false;
        size = 0;
        allocate(16);
    }

    /** Visits every (engine key, request key) pair. */
    void forEach(PairVisitor visitor) {
        if (hasZero) {
            visitor.visit(0, zeroValue);
        }
        for (int i = 0; i <= mask; i++) {
            if (words[2 * i] != 0) {
                visitor.visit(words[2 * i], words[2 * i + 1]);
            }
        }
    }

    /** Keeps only the pairs the filter accepts. */
    void retainIf(PairFilter filter) {
        EngineKeyMap kept = new EngineKeyMap(Math.max(16, size() * 2));
        forEach((engineKey, requestKey) -> {
            if (filter.keep(engineKey, requestKey)) {
                kept.put(engineKey, requestKey);
            }
        });
        hasZero = kept.hasZero;
        zeroValue = kept.zeroValue;
        words = kept.words;
        mask = kept.mask;
        size = kept.size;
    }

    @FunctionalInterface
    interface PairVisitor {
        void visit(long engineKey, long requestKey);
    }

    @FunctionalInterface
    interface PairFilter {
        boolean keep(long engineKey, long requestKey);
    }

    private int slotOf(long engineKey) {
        for (int i = home(engineKey); words[2 * i] != 0; i = (i + 1) & mask) {
            if (words[2 * i] == engineKey) {
                return i;
            }
        }
        return -1;
    }

    private void resize(int capacity) {
        long[] old = words;
        allocate(capacity);
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != 0) {
                int j = home(old[i]);
                while (words[2 * j] != 0) {
                    j = (j + 1) & mask;
                }
                words[2 * j] = old[i];
                words[2 * j + 1] = old[i + 1];
            }
        }
    }
}
