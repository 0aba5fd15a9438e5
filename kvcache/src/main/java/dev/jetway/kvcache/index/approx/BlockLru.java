package dev.jetway.kvcache.index.approx;

import java.util.Arrays;

/**
 * A bounded set of block keys with least-recently-used eviction, on primitive arrays: an open-addressing hash table
 * of node indices over parallel {@code long key / int prev / int next} arrays holding a doubly linked recency list.
 *
 * <p>Cost per entry at full size: 8 (key) + 4 + 4 (links) + 4 × 2..4 table slots (load ≤ 0.5, power of two), so
 * 24–32 bytes, ~25 at llm-d's default capacity of 31,250 (a 65,536-slot table). Arrays grow by doubling up to the
 * capacity, so an endpoint that received little traffic costs little.
 *
 * <p>Not thread-safe: {@link ApproximatePrefixIndex} guards each instance with a lock; its optimistic readers
 * call {@link #contains} racing a writer and rely on it terminating (possibly with an exception) before validation.
 */
final class BlockLru {

    private static final int NONE = -1;
    private static final int INITIAL_NODES = 256;

    private int capacity;
    private long[] keys;
    private int[] prev;
    private int[] next;
    private int[] table; // node index + 1; 0 = empty
    private int mask;
    private int size;
    private int head = NONE; // most recently used
    private int tail = NONE; // least recently used

    BlockLru(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        allocate(Math.min(capacity, INITIAL_NODES));
    }

    int size() {
        return size;
    }

    int capacity() {
        return capacity;
    }

    /** Bytes held by the arrays (what {@link ApproximatePrefixIndex#estimatedBytes()} sums). */
    long allocatedBytes() {
        return (long) keys.length * (8 + 4 + 4) + (long) table.length * 4;
    }

    boolean contains(long key) {
        return find(key) != NONE;
    }

    /** Removes {@code key}; returns whether it was there. */
    boolean remove(long key) {
        int n = find(key);
        if (n == NONE) {
            return false;
        }
        removeNode(n);
        return true;
    }

    /** Changes the capacity; shrinking evicts the least recently used keys. */
    void resize(int newCapacity) {
        if (newCapacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + newCapacity);
        }
        capacity = newCapacity;
        while (size > capacity) {
            removeNode(tail);
        }
    }

    /** Inserts {@code key} as most recently used, or marks it most recently used if present. */
    void touch(long key) {
        int n = find(key);
        if (n != NONE) {
            moveToFront(n);
            return;
        }
        if (size == capacity) {
            removeNode(tail);
        }
        if (size == keys.length) {
            allocate(Math.min(capacity, keys.length * 2));
        }
        n = size++;
        keys[n] = key;
        insertSlot(key, n);
        linkFront(n);
    }

    private void allocate(int nodes) {
        long[] oldKeys = keys;
        int[] oldPrev = prev;
        int[] oldNext = next;
        keys = new long[nodes];
        prev = new int[nodes];
        next = new int[nodes];
        if (oldKeys != null) {
            System.arraycopy(oldKeys, 0, keys, 0, size);
            System.arraycopy(oldPrev, 0, prev, 0, size);
            System.arraycopy(oldNext, 0, next, 0, size);
        }
        int slots = Integer.highestOneBit(Math.max(4, nodes * 2 - 1)) << 1;
        table = new int[slots];
        mask = slots - 1;
        for (int i = 0; i < size; i++) {
            insertSlot(keys[i], i);
        }
    }

    private int slotOf(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }

    private int find(long key) {
        int[] t = table;
        long[] k = keys;
        int m = mask;
        int s = (int) ((key * 0x9E3779B97F4A7C15L) >>> 40) & m;
        // Bounded so that an optimistic reader racing a resize (stale mask, torn arrays) cannot spin forever;
        // a consistent table is at most half full and always ends the probe at an empty slot.
        for (int probes = 0; probes <= m; probes++) {
            int v = t[s];
            if (v == 0) {
                return NONE;
            }
            if (k[v - 1] == key) {
                return v - 1;
            }
            s = (s + 1) & m;
        }
        return NONE;
    }

    private void insertSlot(long key, int node) {
        int s = slotOf(key);
        while (table[s] != 0) {
            s = (s + 1) & mask;
        }
        table[s] = node + 1;
    }

    private int slotHolding(int node) {
        int s = slotOf(keys[node]);
        while (table[s] != node + 1) {
            s = (s + 1) & mask;
        }
        return s;
    }

    /** Removes a node: frees its table slot (backward-shift deletion) and moves the last node into its place. */
    private void removeNode(int n) {
        unlink(n);
        int s = slotHolding(n);
        table[s] = 0;
        // Backward shift: pull later entries of the probe run into the hole so lookups never stop early.
        int hole = s;
        int j = (s + 1) & mask;
        while (table[j] != 0) {
            int home = slotOf(keys[table[j] - 1]);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                table[hole] = table[j];
                table[j] = 0;
                hole = j;
            }
            j = (j + 1) & mask;
        }
        int last = --size;
        if (n != last) {
            // Keep nodes dense in [0, size): relocate the last node into the freed index.
            int lastSlot = slotHolding(last);
            keys[n] = keys[last];
            prev[n] = prev[last];
            next[n] = next[last];
            table[lastSlot] = n + 1;
            if (prev[n] != NONE) {
                next[prev[n]] = n;
            } else {
                head = n;
            }
            if (next[n] != NONE) {
                prev[next[n]] = n;
            } else {
                tail = n;
            }
        }
    }

    private void moveToFront(int n) {
        if (head == n) {
            return;
        }
        unlink(n);
        linkFront(n);
    }

    private void linkFront(int n) {
        prev[n] = NONE;
        next[n] = head;
        if (head != NONE) {
            prev[head] = n;
        }
        head = n;
        if (tail == NONE) {
            tail = n;
        }
    }

    private void unlink(int n) {
        int p = prev[n];
        int x = next[n];
        if (p != NONE) {
            next[p] = x;
        } else {
            head = x;
        }
        if (x != NONE) {
            prev[x] = p;
        } else {
            tail = p;
        }
    }

    /** Keys from most to least recently used (tests and debugging). */
    long[] keysByRecency() {
        long[] out = new long[size];
        int i = 0;
        for (int n = head; n != NONE; n = next[n]) {
            out[i++] = keys[n];
        }
        return i == size ? out : Arrays.copyOf(out, i);
    }
}
