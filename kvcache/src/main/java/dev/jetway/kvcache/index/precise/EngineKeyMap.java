package dev.jetway.kvcache.index.precise;

/**
 * One endpoint's map engine block hash → Jetway request key: open addressing over two {@code long[]} (16 bytes a
 * slot, at most 3/4 full), backward-shift deletion. Used only by the index's writer, so it needs no synchronisation.
 */
final class EngineKeyMap {

    /** Engine hash 0 is a legal hash but also the empty-slot marker; it is stored aside. */
    private boolean hasZero;
    private long zeroValue;
    private long[] keys;
    private long[] values;
    private int size;

    EngineKeyMap() {
        this(16);
    }

    EngineKeyMap(int capacity) {
        int c = Math.max(16, Integer.highestOneBit(Math.max(1, capacity - 1)) << 1);
        keys = new long[c];
        values = new long[c];
    }

    int size() {
        return size + (hasZero ? 1 : 0);
    }

    long capacityBytes() {
        return 16L * keys.length;
    }

    private static int home(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
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
        return slot < 0 ? 0 : values[slot];
    }

    void put(long engineKey, long requestKey) {
        if (engineKey == 0) {
            hasZero = true;
            zeroValue = requestKey;
            return;
        }
        if ((size + 1) * 4L > keys.length * 3L) {
            resize(keys.length * 2);
        }
        int mask = keys.length - 1;
        int i = home(engineKey, mask);
        while (keys[i] != 0) {
            if (keys[i] == engineKey) {
                values[i] = requestKey;
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = engineKey;
        values[i] = requestKey;
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
        int mask = keys.length - 1;
        // Backward-shift: pull later members of the cluster into the hole so probes need no tombstones.
        int hole = i;
        for (int j = (hole + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
            int h = home(keys[j], mask);
            boolean movable = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
            if (movable) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = 0;
        values[hole] = 0;
        size--;
    }

    void clear() {
        hasZero = false;
        size = 0;
        keys = new long[16];
        values = new long[16];
    }

    /** Visits every (engine key, request key) pair. */
    void forEach(PairVisitor visitor) {
        if (hasZero) {
            visitor.visit(0, zeroValue);
        }
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                visitor.visit(keys[i], values[i]);
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
        keys = kept.keys;
        values = kept.values;
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
        int mask = keys.length - 1;
        for (int i = home(engineKey, mask); keys[i] != 0; i = (i + 1) & mask) {
            if (keys[i] == engineKey) {
                return i;
            }
        }
        return -1;
    }

    private void resize(int capacity) {
        long[] oldKeys = keys;
        long[] oldValues = values;
        keys = new long[capacity];
        values = new long[capacity];
        int mask = capacity - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                int j = home(oldKeys[i], mask);
                while (keys[j] != 0) {
                    j = (j + 1) & mask;
                }
                keys[j] = oldKeys[i];
                values[j] = oldValues[i];
            }
        }
    }
}
