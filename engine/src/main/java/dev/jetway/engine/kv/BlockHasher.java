package dev.jetway.engine.kv;

import java.nio.charset.StandardCharsets;
import net.openhft.hashing.LongHashFunction;

/**
 * The engine's own block hashes, shaped like vLLM's {@code hash_block_tokens(parent, tokens, extra_keys)}: XXH3-64
 * with the engine's hash seed over {@code (parent hash, extra key, block tokens)}, chained from a seed-derived
 * {@code NONE_HASH}. The extra key folds in the LoRA name, and the cache salt on block 0 only.
 *
 * <p>Deliberately unlike Jetway's request keys ({@code dev.jetway.kvcache.key.BlockKeys}): the gateway learns these
 * hashes from KV events and never recomputes them (llm-d's dual-key design).
 */
public final class BlockHasher {

    private final LongHashFunction fn;
    private final long noneHash;
    private final int[] scratch;

    public BlockHasher(long hashSeed, int blockSize) {
        this.fn = LongHashFunction.xx3(hashSeed);
        this.noneHash = fn.hashBytes("jetway-engine/NONE_HASH".getBytes(StandardCharsets.UTF_8));
        this.scratch = new int[blockSize + 4];
    }

    /** The parent of a sequence's first block (vLLM's {@code NONE_HASH}). */
    public long noneHash() {
        return noneHash;
    }

    /** The extra key of a block: LoRA name for every block, plus the cache salt on block 0. */
    public long extraKey(String loraName, String cacheSalt, boolean firstBlock) {
        long lora = loraName == null ? 0 : fn.hashChars(loraName);
        long salt = firstBlock && cacheSalt != null ? fn.hashChars(cacheSalt) : 0;
        return lora == 0 && salt == 0 ? 0 : lora * 31 + Long.rotateLeft(salt, 17) + 1;
    }

    /** The hash of a full block of {@code tokens[offset .. offset + blockSize)} after {@code parent}. */
    public long hash(long parent, long extraKey, int[] tokens, int offset) {
        int[] s = scratch;
        s[0] = (int) parent;
        s[1] = (int) (parent >>> 32);
        s[2] = (int) extraKey;
        s[3] = (int) (extraKey >>> 32);
        System.arraycopy(tokens, offset, s, 4, s.length - 4);
        return fn.hashInts(s);
    }
}
