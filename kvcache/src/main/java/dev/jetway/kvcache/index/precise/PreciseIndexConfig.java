package dev.jetway.kvcache.index.precise;

import java.time.Duration;

/**
 * Settings of a {@link PrecisePrefixIndex} (one pool of engines serving one model).
 *
 * @param blockSize          tokens per block; must equal the engines' {@code --block-size} (events with another size
 *                           are not indexed and show up in the parity diagnosis)
 * @param speculativeTtl     how long a speculative entry for a just-routed request lives unless an event confirms it
 *                           (llm-d's {@code speculativeTTL}, 2 s)
 * @param parityTimeout      how long after routing a request the engine has to report its new blocks before the
 *                           parity check counts a disagreement
 * @param parityWindow       how many recent parity outcomes per endpoint the agreement ratio covers
 * @param maxEntries         bound on (block, endpoint, tier) entries; past it the oldest stored entries are evicted
 * @param tierWeights        score per matched block by tier
 * @param initialCapacity    initial slots of the entry table (it grows by doubling)
 */
public record PreciseIndexConfig(int blockSize, Duration speculativeTtl, Duration parityTimeout, int parityWindow,
                                 int maxEntries, TierWeights tierWeights, int initialCapacity) {

    public static final Duration DEFAULT_SPECULATIVE_TTL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_PARITY_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_PARITY_WINDOW = 1_000;
    public static final int DEFAULT_MAX_ENTRIES = 20_000_000;

    public PreciseIndexConfig {
        if (blockSize <= 0) {
            throw new IllegalArgumentException("blockSize must be positive: " + blockSize);
        }
        if (speculativeTtl.isNegative() || parityTimeout.isNegative()) {
            throw new IllegalArgumentException("TTLs must not be negative");
        }
        if (parityWindow <= 0 || maxEntries <= 0 || initialCapacity <= 0) {
            throw new IllegalArgumentException("parityWindow, maxEntries and initialCapacity must be positive");
        }
        if (maxEntries > (1 << 29)) {
            throw new IllegalArgumentException("maxEntries above 2^29 is not supported: " + maxEntries);
        }
    }

    public static PreciseIndexConfig defaults(int blockSize) {
        return new PreciseIndexConfig(blockSize, DEFAULT_SPECULATIVE_TTL, DEFAULT_PARITY_TIMEOUT,
                DEFAULT_PARITY_WINDOW, DEFAULT_MAX_ENTRIES, TierWeights.DEFAULT, 1 << 16);
    }

    public PreciseIndexConfig withSpeculativeTtl(Duration ttl) {
        return new PreciseIndexConfig(blockSize, ttl, parityTimeout, parityWindow, maxEntries, tierWeights,
                initialCapacity);
    }

    public PreciseIndexConfig withParity(Duration timeout, int window) {
        return new PreciseIndexConfig(blockSize, speculativeTtl, timeout, window, maxEntries, tierWeights,
                initialCapacity);
    }

    public PreciseIndexConfig withMaxEntries(int max) {
        return new PreciseIndexConfig(blockSize, speculativeTtl, parityTimeout, parityWindow, max, tierWeights,
                initialCapacity);
    }

    public PreciseIndexConfig withTierWeights(TierWeights weights) {
        return new PreciseIndexConfig(blockSize, speculativeTtl, parityTimeout, parityWindow, maxEntries, weights,
                initialCapacity);
    }

    public PreciseIndexConfig withInitialCapacity(int capacity) {
        return new PreciseIndexConfig(blockSize, speculativeTtl, parityTimeout, parityWindow, maxEntries,
                tierWeights, capacity);
    }
}
