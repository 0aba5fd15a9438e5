package dev.jetway.kvcache.event;

import java.util.List;

/**
 * A KV-cache event as vLLM emits it ({@code vllm/distributed/kv_events.py}); the engine model emits the same.
 * Block hashes are the engine's own hashes as unsigned 64-bit values held in a {@code long} (a hash of 2^63 or
 * more is the same 64 bits, so it reads as negative).
 */
public sealed interface KvEvent {

    /** Default storage tier. */
    String GPU = "GPU";

    /**
     * {@code BlockStored}: full blocks were filled.
     *
     * @param blockHashes              the engine's hashes of the stored blocks, in chain order
     * @param parentBlockHash          hash of the block before the first one, or null at the start of a sequence
     * @param tokenIds                 {@code blockSize} token ids per stored block
     * @param blockSize                tokens per block
     * @param loraId                   LoRA id, or null
     * @param medium                   storage tier ({@code GPU}, {@code CPU}, ...), or null (= GPU)
     * @param loraName                 LoRA name, or null
     * @param extraKeys                per stored block, the extra hash inputs vLLM folded in (LoRA name, multimodal
     *                                 hashes, the cache salt on a sequence's first block), or null per block / as a
     *                                 whole; values are String, Long, Double, Boolean, byte[] or List
     * @param groupIdx                 KV-cache group of a hybrid model, or null
     * @param kvCacheSpecKind          KV-cache spec kind of that group (e.g. full or sliding window), or null
     * @param kvCacheSpecSlidingWindow sliding window of that group, or null
     */
    record BlockStored(long[] blockHashes, Long parentBlockHash, int[] tokenIds, int blockSize, Integer loraId,
                       String medium, String loraName, List<List<Object>> extraKeys, Integer groupIdx,
                       String kvCacheSpecKind, Integer kvCacheSpecSlidingWindow) implements KvEvent {

        /** The fields every vLLM version since KV events were introduced sends. */
        public BlockStored(long[] blockHashes, Long parentBlockHash, int[] tokenIds, int blockSize, Integer loraId,
                           String medium, String loraName) {
            this(blockHashes, parentBlockHash, tokenIds, blockSize, loraId, medium, loraName, null, null, null, null);
        }
    }

    /** {@code BlockRemoved}: blocks were evicted from {@code medium} (null = GPU). */
    record BlockRemoved(long[] blockHashes, String medium, Integer groupIdx) implements KvEvent {

        public BlockRemoved(long[] blockHashes, String medium) {
            this(blockHashes, medium, null);
        }
    }

    /** {@code AllBlocksCleared}: every block of the engine was dropped ({@code medium} as newer vLLM sends it). */
    record AllBlocksCleared(String medium) implements KvEvent {

        public AllBlocksCleared() {
            this(null);
        }
    }
}
