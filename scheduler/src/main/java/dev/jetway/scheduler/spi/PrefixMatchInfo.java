package dev.jetway.scheduler.spi;

/**
 * Per candidate endpoint, how many leading blocks of the request a prefix producer believes are cached there
 * (llm-d's {@code PrefixCacheMatchInfo}), plus the request's block keys so a pre-request hook can record them.
 *
 * @param producer        name of the producer that wrote it
 * @param matchedBlocks   matched leading blocks, indexed by candidate slot ({@link Candidates#slot(int)})
 * @param totalBlocks     blocks in the request (after the producer's cap)
 * @param blockSizeTokens tokens per block
 * @param requestKeys     the request's block keys, in order
 */
public record PrefixMatchInfo(String producer, int[] matchedBlocks, int totalBlocks, int blockSizeTokens,
                              long[] requestKeys) {

    /** Where the first (usually only) prefix producer of a pipeline also writes its result. */
    public static final AttributeKey<PrefixMatchInfo> DEFAULT_KEY =
            AttributeKey.of("prefix-match", PrefixMatchInfo.class);

    // Keys are looked up per request by every prefix plugin: build each one once.
    private static final java.util.concurrent.ConcurrentHashMap<String, AttributeKey<PrefixMatchInfo>> KEYS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The key a named producer writes to. */
    public static AttributeKey<PrefixMatchInfo> keyFor(String producerName) {
        return KEYS.computeIfAbsent(producerName,
                n -> AttributeKey.of("prefix-match:" + n, PrefixMatchInfo.class));
    }

    /** Matched blocks of the endpoint at {@code slot}. */
    public int matched(int slot) {
        return matchedBlocks[slot];
    }

    /** Matched fraction of the request's blocks, 0..1 (0 for an empty prompt). */
    public double ratio(int slot) {
        return totalBlocks == 0 ? 0.0 : (double) matchedBlocks[slot] / totalBlocks;
    }

    /** Matched tokens (blocks times block size). */
    public long matchedTokens(int slot) {
        return (long) matchedBlocks[slot] * blockSizeTokens;
    }

    /** True if any candidate holds at least one block of the request. */
    public boolean anyHit() {
        for (int m : matchedBlocks) {
            if (m > 0) {
                return true;
            }
        }
        return false;
    }
}
