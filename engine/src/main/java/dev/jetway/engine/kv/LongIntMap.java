package dev.jetway.engine.kv;

import java.util.Arrays;

/**
 * An open-addressing map from 64-bit block hashes to block ids, without boxing: the prefix cache's index.
 * Linear probing with backward-shift deletion, so lookups never walk over tombstones.
 */
final class LongIntMap {

    private static final int ABSENT = -1;

    private final long[] keys;
    private final int[] values;
    private final int mask;
    private int size;

    /** A map that holds up to {@code maxEntries} entries at a load factor of at most one half. */
    LongIntMap(int maxEntries) {
        int capacity = Integer.highestOneBit(Math.max(4, maxEntries) * 2 - 1) << 1;
        keys = new long[capacity];
        values = new int[capacity];
        Arrays.fill(values, ABSENT);
        mask = capacity - 1;
    }

    int size() {
        return size;
    }

    /** The value of {@code key}, or -1. */
    int get(long key) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            int v = values[i];
            if (v == ABSENT) {
                return ABSENT;
            }
            if (keys[i] == key) {
                return v;
            }
        }
    }

    /** Maps {@code key} to {@code value} (>= 0) unless it is present; true if it was added. */
    boolean putIfAbsent(long key, int value) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            if (values[i] == ABSENT) {
                keys[i] = key;
                values[i] = value;
                size++;
                return true;
            }
            if (keys[i] == key) {
                return false;
            }
        }
    }

    /** Removes {@code key}; true if it was present. */
    boolean remove(long key) {
        int i = slot(key);
        while (true) {
            if (values[i] == ABSENT) {
                return false;
            }
            if (keys[i] == key) {
                break;
            }
            i = (i + 1) & mask;
        }
        // Backward-shift: move later members of the probe run into the hole so that no lookup stops early.
        int hole = i;
        for (int j = (hole + 1) & mask; values[j] != ABSENT; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = ABSENT;
        size--;
        return true;
    }

    void clear() {
        Arrays.fill(values, ABSENT);
        size = 0;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
