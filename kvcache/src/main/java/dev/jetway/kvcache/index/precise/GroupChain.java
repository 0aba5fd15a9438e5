package dev.jetway.kvcache.index.precise;

/**
 * The blocks of one request as the GPU-only lookup sees them for one group of 64 endpoint ids: per block, the mask of
 * the group's endpoints holding it confirmed (one bucket read in the mask table) or speculatively. One instance per
 * group and lookup, all of a lookup's over one slot array, so the whole lookup reads one consistent table even if a
 * rebuild replaces it meanwhile.
 */
final class GroupChain {

    private final EndpointMaskTable.Slots view;
    private final long[] keys;
    private final int group;
    private final SpeculativeHolders speculative;
    private final long[] speculativeMasks;

    /**
     * @param speculative      null: confirmed entries only
     * @param speculativeMasks scratch for {@code speculative}, at least {@code group + 1} long (a lookup's chains may
     *                         share one: each reads and clears only its own word); null without speculation
     */
    GroupChain(EndpointMaskTable.Slots view, long[] keys, int group, SpeculativeHolders speculative,
               long[] speculativeMasks) {
        this.view = view;
        this.keys = keys;
        this.group = group;
        this.speculative = speculative;
        this.speculativeMasks = speculativeMasks;
    }

    int blocks() {
        return keys.length;
    }

    /** Which group of 64 endpoint ids the masks are of: bit i is endpoint {@code 64 * group + i}. */
    int group() {
        return group;
    }

    /** The group's endpoints holding block {@code b}. */
    long holders(int b) {
        long held = EndpointMaskTable.heldGpuOnly(view, keys[b], group);
        if (speculative == null) {
            return held;
        }
        speculativeMasks[group] = 0;
        speculative.orInto(keys[b], speculativeMasks);
        return held | speculativeMasks[group];
    }
}
