package dev.jetway.kvcache.key;

import java.nio.charset.StandardCharsets;
import net.openhft.hashing.LongHashFunction;

/**
 * Jetway's request keys: a chained xxHash64 over fixed-size blocks of token ids.
 *
 * <p>{@code key[0..]} is computed as {@code key_i = xxh64(seed = key_{i-1}, tokens of block i as little-endian
 * int32)}, with {@code key_{-1} = root(model or LoRA name, cache salt)}. Equal keys at position i therefore mean
 * equal tokens in blocks 0..i under the same model and salt, which is what a prefix cache can reuse.
 *
 * <p>These keys are Jetway's own; they never need to equal the engine's block hashes (the precise index maps
 * engine hashes to these keys, llm-d's dual-key design).
 */
public final class BlockKeys {

    private static final LongHashFunction UNSEEDED = LongHashFunction.xx();

    private BlockKeys() {
    }

    /** The chain's root for a model (or LoRA adapter) name and an optional cache salt. */
    public static long root(String modelOrLora, String cacheSalt) {
        String material = cacheSalt == null || cacheSalt.isEmpty() ? modelOrLora : modelOrLora + '\u0000' + cacheSalt;
        return UNSEEDED.hashBytes(material.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The key of one block given its parent's key. The seeded function object does not survive JIT escape analysis
     * ({@code -prof gc} of {@code BlockKeysBenchmark.keys}: only the key array is allocated), and the library's
     * unchecked 8-byte reads were faster than a hand-written XXH64 over the int array (docs/performance.md).
     */
    public static long next(long parent, int[] tokens, int offset, int length) {
        return LongHashFunction.xx(parent).hashInts(tokens, offset, length);
    }

    /**
     * Keys of the full blocks of {@code tokens} (and, if {@code includePartialTail}, of the trailing partial block),
     * at most {@code maxBlocks} of them (0 = no limit).
     */
    public static long[] of(int[] tokens, int tokenCount, int blockSize, long root, boolean includePartialTail,
                            int maxBlocks) {
        int blocks = blockCount(tokenCount, blockSize, includePartialTail, maxBlocks);
        long[] keys = new long[blocks];
        long parent = root;
        for (int b = 0; b < blocks; b++) {
            int off = b * blockSize;
            parent = next(parent, tokens, off, Math.min(blockSize, tokenCount - off));
            keys[b] = parent;
        }
        return keys;
    }

    /** How many keys {@code tokenCount} tokens give: full blocks, the partial tail if wanted, at most maxBlocks. */
    private static int blockCount(int tokenCount, int blockSize, boolean includePartialTail, int maxBlocks) {
        if (blockSize <= 0) {
            throw new IllegalArgumentException("blockSize must be positive: " + blockSize);
        }
        int full = tokenCount / blockSize;
        int blocks = includePartialTail && tokenCount % blockSize != 0 ? full + 1 : full;
        return maxBlocks > 0 ? Math.min(blocks, maxBlocks) : blocks;
    }

    /**
     * The same keys as {@link #of(int[], int, int, long, boolean, int)} for the pseudo-tokens that packing
     * {@code bytes} four at a time (little-endian, the last one zero-padded) gives, i.e. for llm-d's {@code estimate}
     * tokens of a text's UTF-8 bytes, without building those tokens: the XXH64 of a block of little-endian ints is
     * the XXH64 of the bytes they were packed from. Only a final block that ends inside a pseudo-token is packed.
     */
    public static long[] ofPackedBytes(byte[] bytes, int blockSize, long root, boolean includePartialTail,
                                       int maxBlocks) {
        int tokenCount = (bytes.length + Integer.BYTES - 1) / Integer.BYTES;
        int blocks = blockCount(tokenCount, blockSize, includePartialTail, maxBlocks);
        long[] keys = new long[blocks];
        long parent = root;
        for (int b = 0; b < blocks; b++) {
            int tokenOffset = b * blockSize;
            int tokens = Math.min(blockSize, tokenCount - tokenOffset);
            int byteOffset = tokenOffset * Integer.BYTES;
            int byteLength = tokens * Integer.BYTES;
            parent = byteOffset + byteLength <= bytes.length
                    ? LongHashFunction.xx(parent).hashBytes(bytes, byteOffset, byteLength)
                    : next(parent, packTail(bytes, byteOffset, tokens), 0, tokens);
            keys[b] = parent;
        }
        return keys;
    }

    private static int[] packTail(byte[] bytes, int from, int tokens) {
        int[] ints = new int[tokens];
        for (int i = from; i < bytes.length; i++) {
            ints[(i - from) / Integer.BYTES] |= (bytes[i] & 0xFF) << 8 * ((i - from) % Integer.BYTES);
        }
        return ints;
    }

    /** Keys of the full blocks of {@code tokens}. */
    public static long[] of(int[] tokens, int blockSize, long root) {
        return of(tokens, tokens.length, blockSize, root, false, 0);
    }
}
