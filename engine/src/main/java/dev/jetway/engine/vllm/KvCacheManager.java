package dev.jetway.engine.vllm;

import dev.jetway.engine.KvEventSink;
import dev.jetway.engine.kv.BlockHasher;
import dev.jetway.engine.kv.BlockPool;
import dev.jetway.kvcache.event.KvEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The sequences' view of the paged KV cache, like vLLM's {@code KVCacheManager}: prefix lookup, block allocation
 * for the tokens a step schedules, caching of filled blocks, freeing, and the KV events all of that causes.
 */
final class KvCacheManager {

    private final int blockSize;
    private final BlockPool pool;
    private final BlockHasher hasher;
    private final KvEventSink sink;
    private final boolean eventsWanted;
    private final List<KvEvent> pendingEvents = new ArrayList<>();
    /** Blocks found by the last {@link #findCachedPrefix}. */
    private final int[] hitBlocks;
    private final int[] blockTokens;

    KvCacheManager(int numBlocks, int blockSize, int maxModelLen, long hashSeed, KvEventSink sink) {
        this.blockSize = blockSize;
        this.pool = new BlockPool(numBlocks, this::onEvicted);
        this.hasher = new BlockHasher(hashSeed, blockSize);
        this.sink = sink;
        this.eventsWanted = sink != KvEventSink.NONE;
        this.hitBlocks = new int[(maxModelLen + blockSize - 1) / blockSize];
        this.blockTokens = new int[blockSize];
    }

    int numBlocks() {
        return pool.numBlocks();
    }

    /** Blocks held by requests (running, transferring or pinned). */
    int numUsed() {
        return pool.numUsed();
    }

    /** The extra hash key of a request's blocks (LoRA; cache salt on block 0). */
    long extraKey(String loraName, String cacheSalt, boolean firstBlock) {
        return hasher.extraKey(loraName, cacheSalt, firstBlock);
    }

    /**
     * Number of leading full blocks of {@code seq} in the prefix cache, remembered for the next allocation. The
     * last token is always computed, so at most {@code ⌊(tokens − 1) / blockSize⌋} blocks can hit.
     */
    int findCachedPrefix(Sequence seq) {
        int maxBlocks = (seq.numTokens() - 1) / blockSize;
        int hits = 0;
        while (hits < maxBlocks) {
            int block = pool.lookup(hashOf(seq, hits));
            if (block < 0) {
                break;
            }
            hitBlocks[hits++] = block;
        }
        return hits;
    }

    /**
     * Gives {@code seq} the blocks for {@code numNew} more tokens after its computed tokens and {@code hits} cached
     * blocks from {@link #findCachedPrefix}; caches the blocks those tokens fill. False, changing nothing, if the free
     * blocks do not suffice.
     */
    boolean allocateSlots(Sequence seq, int hits, int numNew) {
        int computed = seq.numComputed + hits * blockSize;
        int required = ceilDiv(computed + numNew, blockSize);
        if (!takeBlocks(seq, hits, Math.max(0, required - seq.numBlocks - hits))) {
            return false;
        }
        seq.numComputed = computed;
        cacheFullBlocks(seq, Math.min(computed + numNew, seq.numTokens()));
        return true;
    }

    /** Gives {@code seq} blocks for its whole prompt ({@code hits} of them cached), for a KV transfer into them. */
    boolean allocatePrompt(Sequence seq, int hits) {
        return takeBlocks(seq, hits, ceilDiv(seq.promptLength, blockSize) - hits);
    }

    private boolean takeBlocks(Sequence seq, int hits, int fresh) {
        int evictableHits = 0;
        for (int i = 0; i < hits; i++) {
            if (pool.refCount(hitBlocks[i]) == 0) {
                evictableHits++; // a cached block nobody holds is in the free count: taking it back uses one up
            }
        }
        if (fresh + evictableHits > pool.numFree()) {
            return false;
        }
        for (int i = 0; i < hits; i++) {
            pool.touch(hitBlocks[i]);
            seq.addBlock(hitBlocks[i]);
        }
        seq.numCachedBlocks += hits;
        for (int i = 0; i < fresh; i++) {
            seq.addBlock(pool.allocate());
        }
        return true;
    }

    /** Registers the full blocks among the first {@code tokens} tokens in the prefix cache, announcing them. */
    void cacheFullBlocks(Sequence seq, int tokens) {
        int full = tokens / blockSize;
        int runStart = -1;
        for (int b = seq.numCachedBlocks; b < full; b++) {
            if (pool.cache(seq.blocks[b], hashOf(seq, b))) {
                if (runStart < 0) {
                    runStart = b;
                }
            } else if (runStart >= 0) {
                announce(seq, runStart, b);
                runStart = -1;
            }
        }
        if (runStart >= 0) {
            announce(seq, runStart, full);
        }
        seq.numCachedBlocks = Math.max(seq.numCachedBlocks, full);
    }

    /** Releases the blocks tail first, so that a sequence's last blocks are evicted before its prefix. */
    void free(Sequence seq) {
        for (int i = seq.numBlocks - 1; i >= 0; i--) {
            pool.release(seq.blocks[i]);
        }
        seq.numBlocks = 0;
        seq.numCachedBlocks = 0;
    }

    /** Sends the events of the step that just ended. */
    void flushEvents(long timeNanos) {
        for (KvEvent event : pendingEvents) {
            sink.accept(event, timeNanos);
        }
        pendingEvents.clear();
    }

    /** Forgets every cached block (nothing may be held) and says so. */
    void clear(long timeNanos) {
        flushEvents(timeNanos);
        pool.clearCache();
        if (eventsWanted) {
            sink.accept(new KvEvent.AllBlocksCleared(), timeNanos);
        }
    }

    private long hashOf(Sequence seq, int block) {
        while (seq.numHashed <= block) {
            int b = seq.numHashed;
            long parent = b == 0 ? hasher.noneHash() : seq.blockHashes[b - 1];
            fillBlockTokens(seq, b);
            seq.blockHashes[b] = hasher.hash(parent, b == 0 ? seq.firstBlockExtraKey : seq.otherBlocksExtraKey,
                    blockTokens, 0);
            seq.numHashed++;
        }
        return seq.blockHashes[block];
    }

    private void fillBlockTokens(Sequence seq, int block) {
        int start = block * blockSize;
        if (start + blockSize <= seq.promptLength) {
            System.arraycopy(seq.request.promptTokens(), start, blockTokens, 0, blockSize);
        } else {
            for (int i = 0; i < blockSize; i++) {
                blockTokens[i] = seq.tokenAt(start + i);
            }
        }
    }

    /** Queues one {@code BlockStored} for blocks {@code [from, to)} of {@code seq}, as vLLM batches them. */
    private void announce(Sequence seq, int from, int to) {
        if (!eventsWanted) {
            return;
        }
        long[] hashes = new long[to - from];
        int[] tokens = new int[(to - from) * blockSize];
        for (int b = from; b < to; b++) {
            hashes[b - from] = seq.blockHashes[b];
            fillBlockTokens(seq, b);
            System.arraycopy(blockTokens, 0, tokens, (b - from) * blockSize, blockSize);
        }
        Long parent = from == 0 ? null : seq.blockHashes[from - 1];
        pendingEvents.add(new KvEvent.BlockStored(hashes, parent, tokens, blockSize, null, KvEvent.GPU,
                seq.request.loraName(), extraKeys(seq, from, to), null, null, null));
    }

    /**
     * vLLM's per-block {@code extra_keys}: the LoRA name on every block, then the cache salt on block 0 only; null
     * for a block without any, and null as a whole when no block has any.
     */
    private static List<List<Object>> extraKeys(Sequence seq, int from, int to) {
        String lora = seq.request.loraName();
        String salt = seq.request.cacheSalt();
        boolean saltHere = salt != null && from == 0;
        if (lora == null && !saltHere) {
            return null;
        }
        List<List<Object>> perBlock = new ArrayList<>(to - from);
        for (int b = from; b < to; b++) {
            List<Object> keys = new ArrayList<>(2);
            if (lora != null) {
                keys.add(lora);
            }
            if (salt != null && b == 0) {
                keys.add(salt);
            }
            perBlock.add(keys.isEmpty() ? null : List.copyOf(keys));
        }
        return Collections.unmodifiableList(perBlock);
    }

    private void onEvicted(long hash) {
        if (eventsWanted) {
            pendingEvents.add(new KvEvent.BlockRemoved(new long[] {hash}, KvEvent.GPU));
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
