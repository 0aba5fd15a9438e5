package dev.jetway.kvcache.index.precise;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.IntSupplier;

/** The lock-free read side of the index: longest consecutive prefix per endpoint, tier-weighted. */
final class PrefixMatcher {

    private final EndpointMaskTable confirmed;
    private final BlockEntryTable speculativeTable;
    private final double[] tierWeight;
    private final IntSupplier clockStamp;
    /** Read by concurrent lookups; a race only computes the same order twice. */
    private volatile NameOrder nameOrder;

    PrefixMatcher(EndpointMaskTable confirmed, BlockEntryTable speculativeTable, TierWeights weights,
                  IntSupplier clockStamp) {
        this.confirmed = confirmed;
        this.speculativeTable = speculativeTable;
        this.tierWeight = new double[] {weights.gpu(), weights.cpu(), weights.storage()};
        this.clockStamp = clockStamp;
    }

    /**
     * Per endpoint, the longest run of consecutive keys from {@code keys[0]} it holds (any tier, or speculatively),
     * and its tier-weighted score. Lock-free; concurrent with event intake.
     *
     * <p>Works on endpoint masks: per block, one probe of the confirmed table gives the holders per tier as bit masks;
     * the still-running set is intersected with them, so the cost is one probe per block plus one step per endpoint
     * that drops out, however many endpoints hold the prefix.
     */
    PrefixMatches match(long[] keys, EndpointState[] states) {
        int n = states.length;
        int groups = (n + 63) >>> EndpointMaskTable.GROUP_BITS;
        long[] running = new long[groups];
        for (int ep = 0; ep < n; ep++) {
            if (states[ep] != null) {
                running[ep >>> 6] |= 1L << (ep & 63);
            }
        }
        if (groups == 1 && !confirmed.tiered()) {
            return matchFirstGroupGpuOnly(keys, states, running[0]);
        }
        int[] run = new int[n];
        int[] cpuBlocks = new int[n];
        int[] storageBlocks = new int[n];
        long[] holders = new long[3 * groups]; // [tier * groups + group]
        long[] speculativeValues = new long[16];
        boolean anySpeculative = speculativeTable.live() > 0;
        int nowStamp = anySpeculative ? clockStamp.getAsInt() : 0;
        int b = 0;
        for (; b < keys.length; b++) {
            for (int i = 0; i < holders.length; i++) {
                holders[i] = 0;
            }
            confirmed.collect(keys[b], holders, groups);
            if (anySpeculative) {
                speculativeValues = collectSpeculative(keys[b], holders, n, nowStamp, speculativeValues);
            }
            boolean anyRunning = false;
            for (int g = 0; g < groups; g++) {
                long gpu = holders[g];
                long cpu = holders[groups + g];
                long storage = holders[2 * groups + g];
                long stays = running[g] & (gpu | cpu | storage);
                for (long dropped = running[g] & ~stays; dropped != 0; dropped &= dropped - 1) {
                    run[(g << 6) | Long.numberOfTrailingZeros(dropped)] = b;
                }
                // Blocks held only in slower tiers are rare; counting them keeps the per-block work to mask ops.
                for (long m = stays & cpu & ~gpu; m != 0; m &= m - 1) {
                    cpuBlocks[(g << 6) | Long.numberOfTrailingZeros(m)]++;
                }
                for (long m = stays & storage & ~gpu & ~cpu; m != 0; m &= m - 1) {
                    storageBlocks[(g << 6) | Long.numberOfTrailingZeros(m)]++;
                }
                running[g] = stays;
                anyRunning |= stays != 0;
            }
            if (!anyRunning) {
                break;
            }
        }
        for (int g = 0; g < groups; g++) {
            for (long m = running[g]; m != 0; m &= m - 1) {
                run[(g << 6) | Long.numberOfTrailingZeros(m)] = b;
            }
        }
        double[] score = new double[n];
        for (int ep = 0; ep < n; ep++) {
            if (run[ep] > 0) {
                int gpuBlocks = run[ep] - cpuBlocks[ep] - storageBlocks[ep];
                score[ep] = gpuBlocks * tierWeight[0] + cpuBlocks[ep] * tierWeight[1]
                        + storageBlocks[ep] * tierWeight[2];
            }
        }
        return ranked(keys, states, run, score);
    }

    /**
     * The common case of {@link #match(long[], EndpointState[])}: at most 64 endpoints and only GPU entries, so each
     * block is one mask and the score is the run length times the GPU weight. Without speculative entries the mask
     * table scans the blocks itself ({@link EndpointMaskTable#runsGpuOnly}); with them, each block's mask is ORed with
     * its unexpired speculative holders. Either way the scan stops at the first block no running endpoint holds, so a
     * request nobody holds costs one bucket read.
     */
    private PrefixMatches matchFirstGroupGpuOnly(long[] keys, EndpointState[] states, long registered) {
        int n = states.length;
        int[] run = new int[n];
        boolean anySpeculative = speculativeTable.live() > 0;
        int nowStamp = anySpeculative ? clockStamp.getAsInt() : 0;
        long[] speculativeHolders = anySpeculative ? new long[1] : null;
        long[] buffer = anySpeculative ? new long[16] : null;
        EndpointMaskTable.Slots view = confirmed.view();
        if (!anySpeculative) {
            EndpointMaskTable.runsGpuOnly(view, keys, registered, run);
        } else {
            long running = registered;
            int b = 0;
            for (; b < keys.length; b++) {
                speculativeHolders[0] = 0;
                buffer = collectSpeculative(keys[b], speculativeHolders, n, nowStamp, buffer);
                long stays = running
                        & (EndpointMaskTable.heldByFirstGroupGpuOnly(view, keys[b]) | speculativeHolders[0]);
                EndpointMaskTable.endRuns(running & ~stays, b, run);
                running = stays;
                if (running == 0) {
                    break;
                }
            }
            EndpointMaskTable.endRuns(running, b, run);
        }
        double[] score = new double[n];
        for (int ep = 0; ep < n; ep++) {
            score[ep] = run[ep] * tierWeight[0];
        }
        return ranked(keys, states, run, score);
    }

    /**
     * Endpoints with a run, best score first, ties by endpoint name. Endpoints are visited in name order and
     * insertion-sorted by score alone (stable), so the common case of many holders with equal runs is already in order
     * and costs one comparison each; no comparator objects on the hot path.
     */
    private PrefixMatches ranked(long[] keys, EndpointState[] states, int[] run, double[] score) {
        int[] byName = idsByName(states);
        int[] order = new int[byName.length];
        int count = 0;
        for (int ep : byName) {
            if (run[ep] <= 0) {
                continue;
            }
            int at = count++;
            while (at > 0 && score[ep] > score[order[at - 1]]) {
                order[at] = order[at - 1];
                at--;
            }
            order[at] = ep;
        }
        EndpointMatch[] matches = new EndpointMatch[count];
        for (int i = 0; i < count; i++) {
            int ep = order[i];
            matches[i] = new EndpointMatch(ep, states[ep].name, run[ep], score[ep]);
        }
        return new PrefixMatches(keys, List.of(matches));
    }

    /** Ids of the registered endpoints in name order, computed once per endpoint set (the set changes rarely). */
    private int[] idsByName(EndpointState[] states) {
        NameOrder cached = nameOrder;
        if (cached != null && cached.states == states) {
            return cached.ids;
        }
        int[] ids = Arrays.stream(states).filter(Objects::nonNull)
                .sorted(Comparator.comparing((EndpointState st) -> st.name))
                .mapToInt(st -> st.id).toArray();
        nameOrder = new NameOrder(states, ids);
        return ids;
    }

    /** Name order of one endpoint array (compared by identity: the index replaces the array on every change). */
    private record NameOrder(EndpointState[] states, int[] ids) {
    }

    /** ORs the unexpired speculative holders of {@code key} into the GPU masks; returns the (maybe grown) buffer. */
    private long[] collectSpeculative(long key, long[] holders, int n, int nowStamp, long[] buffer) {
        int count = speculativeTable.values(key, buffer);
        if (count > buffer.length) {
            buffer = new long[Integer.highestOneBit(count) << 1];
            count = Math.min(buffer.length, speculativeTable.values(key, buffer));
        }
        for (int i = 0; i < count; i++) {
            long v = buffer[i];
            int ep = BlockEntryTable.endpoint(v);
            if (ep < n && BlockEntryTable.stamp(v) - nowStamp > 0) {
                holders[ep >>> 6] |= 1L << (ep & 63); // GPU masks come first
            }
        }
        return buffer;
    }
}
