package dev.jetway.kvcache.index.precise;

/**
 * The blocks of one request as the GPU-only, first-group lookup sees them: per block, the mask of endpoints 0..63
 * holding it confirmed (one bucket read in the mask table) or speculatively. One instance per lookup, over one slot
 * array, so the whole lookup reads one consistent table even if a rebuild replaces it meanwhile.
 */
final class FirstGroupChain {

    private final EndpointMaskTable.Slots view;
    private final long[] keys;
    private final SpeculativeHolders speculative;
    private final long[] speculativeMask;

    /** {@code speculative} may be null: confirmed entries only. */
    FirstGroupChain(EndpointMaskTable.Slots view, long[] keys, SpeculativeHolders speculative) {
        this.view = view;
        this.keys = keys;
        this.speculative = speculative;
        this.speculativeMask = speculative == null ? null : new long[1];
    }

    int blocks() {
        return keys.length;
    }

    /** Endpoints 0..63 holding block {@code b}. */
    long holders(int b) {
        long held = EndpointMaskTable.heldByFirstGroupGpuOnly(view, keys[b]);
        if (speculative == null) {
            return held;
        }
        speculativeMask[0] = 0;
        speculative.orInto(keys[b], speculativeMask);
        return held | speculativeMask[0];
    }
}
