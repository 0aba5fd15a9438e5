package dev.jetway.kvcache.event;

/**
 * A KV-cache event as vLLM emits it ({@code vllm/distributed/kv_events.py}); the engine model emits the same.
 * Block hashes are the engine's own hashes as unsigned 64-bit values held in a {@code long}.
 */
public sealed interface KvEvent {

    /** Default storage tier. */
    String GPU = "GPU";

    /**
     * {@code BlockStored}: full blocks were filled.
     *
     * @param blockHashes     the engine's hashes of the stored blocks, in chain order
     * @param parentBlockHash hash of the block before the first one, or null at the start of a sequence
     * @param tokenIds        {@code blockSize} token ids per stored block
     * @param blockSize       tokens per block
     * @param loraId          LoRA id, or null
     * @param medium          storage tier ({@code GPU}, {@code CPU}, ...), or null (= GPU)
     * @param loraName        LoRA name, or null
     */
    record BlockStored(long[] blockHashes, Long parentBlockHash, int[] tokenIds, int blockSize, Integer loraId,
                       String medium, String loraName) implements KvEvent {
    }

    /** {@code BlockRemoved}: blocks were evicted from {@code medium} (null = GPU). */
    record BlockRemoved(long[] blockHashes, String medium) implements KvEvent {
    }

    /** {@code AllBlocksCleared}: every block of the engine was dropped. */
    record AllBlocksCleared() implements KvEvent {
    }
}
