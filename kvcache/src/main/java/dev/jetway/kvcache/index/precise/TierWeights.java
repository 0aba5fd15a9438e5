package dev.jetway.kvcache.index.precise;

/**
 * Score of one matched block per tier, as llm-d's LongestPrefixScorer ({@code gpu} 1.0, {@code cpu} 0.8). Jetway adds
 * a storage tier (disk or remote KV store), 0.5 by default: it still saves prefill, but loads slower than CPU memory.
 */
public record TierWeights(double gpu, double cpu, double storage) {

    public static final TierWeights DEFAULT = new TierWeights(1.0, 0.8, 0.5);

    public TierWeights {
        if (!(gpu >= 0 && cpu >= 0 && storage >= 0)) {
            throw new IllegalArgumentException("tier weights must be non-negative: " + gpu + ", " + cpu + ", " + storage);
        }
    }

    public double of(Tier tier) {
        return switch (tier) {
            case GPU -> gpu;
            case CPU -> cpu;
            case STORAGE -> storage;
        };
    }
}
