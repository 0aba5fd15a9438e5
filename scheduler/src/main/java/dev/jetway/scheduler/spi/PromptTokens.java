package dev.jetway.scheduler.spi;

import dev.jetway.kvcache.key.BlockKeys;
import dev.jetway.kvcache.tokenize.ByteEstimateTokenizer;
import java.util.Objects;

/**
 * The request's prompt as tokens, as the {@code token-producer} computed them.
 *
 * <p>For llm-d's {@code estimate} backend the prompt's UTF-8 bytes are kept and the pseudo-token ids are packed
 * from them only when a plugin asks for {@link #ids()}: the default pipeline only needs their count and their
 * block keys, which {@link #blockKeys} computes from the bytes directly (one 4-bytes-per-token copy less per
 * request). Like the {@link SchedulingContext} holding it, not for concurrent use.
 */
public final class PromptTokens {

    public static final AttributeKey<PromptTokens> KEY = AttributeKey.of("prompt-tokens", PromptTokens.class);

    private int[] ids;
    private final byte[] utf8;
    private final int count;
    private final boolean estimated;
    private final String backend;

    /**
     * @param ids       token ids (pseudo-tokens when {@code estimated}); never mutated
     * @param estimated true for llm-d's {@code estimate} backend: ids that do not match the engine's (fine for
     *                  routing-history matching, useless for KV events)
     * @param backend   which backend produced them ({@code estimate}, {@code request} for caller-supplied ids, or
     *                  a tokenizer name)
     */
    public PromptTokens(int[] ids, boolean estimated, String backend) {
        this.ids = Objects.requireNonNull(ids, "ids");
        this.utf8 = null;
        this.count = ids.length;
        this.estimated = estimated;
        this.backend = backend;
    }

    private PromptTokens(byte[] utf8) {
        this.utf8 = utf8;
        this.count = ByteEstimateTokenizer.tokensForBytes(utf8.length);
        this.estimated = true;
        this.backend = ByteEstimateTokenizer.NAME;
    }

    /** llm-d's estimate of a prompt: 4 UTF-8 bytes per pseudo-token, packed only if someone asks for the ids. */
    public static PromptTokens estimate(String prompt) {
        return new PromptTokens(prompt.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The token ids; never mutate the array. */
    public int[] ids() {
        int[] result = ids;
        if (result == null) {
            result = ByteEstimateTokenizer.pack(utf8);
            ids = result;
        }
        return result;
    }

    public boolean estimated() {
        return estimated;
    }

    public String backend() {
        return backend;
    }

    public int count() {
        return count;
    }

    /** {@link BlockKeys#of(int[], int, int, long, boolean, int)} of these tokens. */
    public long[] blockKeys(int blockSize, long root, boolean includePartialTail, int maxBlocks) {
        if (ids == null) {
            return BlockKeys.ofPackedBytes(utf8, blockSize, root, includePartialTail, maxBlocks);
        }
        return BlockKeys.of(ids, ids.length, blockSize, root, includePartialTail, maxBlocks);
    }

    @Override
    public String toString() {
        return "PromptTokens[" + count + " tokens, backend=" + backend + (estimated ? ", estimated]" : "]");
    }
}
