package dev.jetway.engine.kv;

import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * The engine's paged KV memory: a fixed number of blocks, reference-counted, with automatic prefix caching.
 *
 * <p>Like vLLM V1's block pool, a block whose reference count drops to zero goes to the tail of a free queue but
 * keeps its hash, so a later request with the same prefix can take it back ({@link #touch}). Allocation takes the
 * head of the queue, the least recently freed block, and evicts its hash if it had one. Every operation is O(1);
 * nothing scans the blocks.
 */
public final class BlockPool {

    private static final int NONE = -1;

    private final int numBlocks;
    private final int[] refCount;
    private final long[] hashOf;
    private final boolean[] cached;
    // The free queue: a doubly linked list over block ids, head = next to evict.
    private final int[] prev;
    private final int[] next;
    private int head = NONE;
    private int tail = NONE;
    private int numFree;
    private final LongIntMap byHash;
    private final LongConsumer onEvicted;

    /**
     * @param numBlocks blocks in the cache
     * @param onEvicted told the hash of every cached block that is evicted (for {@code BlockRemoved})
     */
    public BlockPool(int numBlocks, LongConsumer onEvicted) {
        if (numBlocks < 1) {
            throw new IllegalArgumentException("numBlocks must be positive: " + numBlocks);
        }
        this.numBlocks = numBlocks;
        this.refCount = new int[numBlocks];
        this.hashOf = new long[numBlocks];
        this.cached = new boolean[numBlocks];
        this.prev = new int[numBlocks];
        this.next = new int[numBlocks];
        this.byHash = new LongIntMap(numBlocks);
        this.onEvicted = onEvicted;
        for (int b = 0; b < numBlocks; b++) {
            append(b);
        }
    }

    public int numBlocks() {
        return numBlocks;
    }

    /** Blocks no request holds (some of them still cached). */
    public int numFree() {
        return numFree;
    }

    /** Blocks held by at least one request. */
    public int numUsed() {
        return numBlocks - numFree;
    }

    /** Blocks whose content is in the prefix cache (held or not). */
    public int numCached() {
        return byHash.size();
    }

    /** The cached block with {@code hash}, or -1. */
    public int lookup(long hash) {
        return byHash.get(hash);
    }

    public int refCount(int block) {
        return refCount[block];
    }

    /** Takes a reference to a cached block found by {@link #lookup}; a free block leaves the free queue. */
    public void touch(int block) {
        if (refCount[block]++ == 0) {
            unlink(block);
        }
    }

    /** Takes the least recently freed block, evicting its cached content; the caller checked {@link #numFree}. */
    public int allocate() {
        int block = head;
        if (block == NONE) {
            throw new IllegalStateException("no free KV block");
        }
        unlink(block);
        if (cached[block]) {
            cached[block] = false;
            byHash.remove(hashOf[block]);
            onEvicted.accept(hashOf[block]);
        }
        refCount[block] = 1;
        return block;
    }

    /** Drops a reference; at zero the block becomes the most recently freed (evicted last). */
    public void release(int block) {
        if (refCount[block] <= 0) {
            throw new IllegalStateException("block " + block + " is not held");
        }
        if (--refCount[block] == 0) {
            append(block);
        }
    }

    /**
     * Registers a full block's content under {@code hash}. False if another block already holds that content
     * (the block then stays private to its request and is never announced).
     */
    public boolean cache(int block, long hash) {
        if (cached[block]) {
            throw new IllegalStateException("block " + block + " is already cached");
        }
        if (!byHash.putIfAbsent(hash, block)) {
            return false;
        }
        cached[block] = true;
        hashOf[block] = hash;
        return true;
    }

    /** Forgets every cached hash (vLLM's prefix-cache reset); held blocks stay held. */
    public void clearCache() {
        byHash.clear();
        Arrays.fill(cached, false);
    }

    private void append(int block) {
        prev[block] = tail;
        next[block] = NONE;
        if (tail == NONE) {
            head = block;
        } else {
            next[tail] = block;
        }
        tail = block;
        numFree++;
    }

    private void unlink(int block) {
        int p = prev[block];
        int n = next[block];
        if (p == NONE) {
            head = n;
        } else {
            next[p] = n;
        }
        if (n == NONE) {
            tail = p;
        } else {
            prev[n] = p;
        }
        numFree--;
    }
}
