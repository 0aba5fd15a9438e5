package dev.jetway.kvcache.index.precise;

import java.util.Arrays;
import java.util.Comparator;
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
     * <p>With GPU entries only, runs are found along the chain by {@link ChainRuns}, one group of 64 endpoint ids at a
     * time: by bisection for endpoints whose holdings are prefix-closed, block by block for those in {@code gapped}
     * (bit i of word g: endpoint {@code 64 * g + i}, whose entries may have gaps). Once slower tiers hold entries, the
     * general path probes block by block with per-group, per-tier masks (a run's score counts its blocks per tier):
     * one probe per block plus one step per endpoint that drops out.
     */
    PrefixMatches match(long[] keys, EndpointState[] states, long[] gapped) {
        int n = states.length;
        int groups = (n + 63) >>> EndpointMaskTable.GROUP_BITS;
        long[] running = new long[groups];
        for (int ep = 0; ep < n; ep++) {
            if (states[ep] != null) {
                running[ep >>> 6] |= 1L << (ep & 63);
            }
        }
        SpeculativeHolders speculative = SpeculativeHolders.of(speculativeTable, n, clockStamp);
        if (!confirmed.tiered()) {
            return matchGpuOnly(keys, states, running, gapped, speculative);
        }
        int[] run = new int[n];
        int[] cpuBlocks = new int[n];
        int[] storageBlocks = new int[n];
        long[] holders = new long[3 * groups]; // [tier * groups + group]
        int b = 0;
        for (; b < keys.length; b++) {
            for (int i = 0; i < holders.length; i++) {
                holders[i] = 0;
            }
            confirmed.collect(keys[b], holders, groups);
            if (speculative != null) {
                speculative.orInto(keys[b], holders);
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
     * The common case of {@link #match(long[], EndpointState[], long[])}: only GPU entries, so each block is one mask
     * per group (confirmed, ORed with unexpired speculative holders) and the score is the run length times the GPU
     * weight.
     */
    private PrefixMatches matchGpuOnly(long[] keys, EndpointState[] states, long[] registered, long[] gapped,
                                       SpeculativeHolders speculative) {
        int[] run = new int[states.length];
        EndpointMaskTable.Slots view = confirmed.view();
        long[] speculativeMasks = speculative == null ? null : new long[registered.length];
        for (int g = 0; g < registered.length; g++) {
            long suspect = g < gapped.length ? gapped[g] : 0;
            GroupChain chain = new GroupChain(view, keys, g, speculative, speculativeMasks);
            ChainRuns.bisect(chain, registered[g] & ~suspect, run);
            ChainRuns.scan(chain, registered[g] & suspect, run);
        }
        return ranked(keys, states, run, null);
    }

    /**
     * Of {@code endpoints} (bit i: endpoint {@code 64 * group + i}), those holding a block of {@code keys} after one
     * they lack, in confirmed GPU entries: where bisection cannot be trusted. Reads every block; for the writer's
     * closure audit.
     */
    long confirmedGaps(long[] keys, int group, long endpoints) {
        return ChainRuns.gaps(new GroupChain(confirmed.view(), keys, group, null, null), endpoints);
    }

    /**
     * Endpoints with a run, best score first, ties by endpoint name: one primitive sort of {@link #rankKey}s, so
     * many endpoints with distinct scores cost n log n steps and no comparator objects on the hot path; the result
     * keeps parallel arrays in rank order. A null
     * {@code score} means GPU blocks only: the score is the run times the GPU weight.
     */
    private PrefixMatches ranked(long[] keys, EndpointState[] states, int[] run, double[] score) {
        NameOrder byName = nameOrder(states);
        int[] ids = byName.ids;
        long[] order = new long[ids.length];
        int count = 0;
        for (int position = 0; position < ids.length; position++) {
            int ep = ids[position];
            if (run[ep] > 0) {
                order[count++] = rankKey(score == null ? run[ep] * tierWeight[0] : score[ep], position);
            }
        }
        Arrays.sort(order, 0, count);
        int[] rankedIds = new int[count];
        String[] rankedNames = new String[count];
        int[] rankedBlocks = new int[count];
        double[] rankedScores = new double[count];
        for (int i = 0; i < count; i++) {
            int position = (int) (order[i] & NAME_POSITION);
            int ep = ids[position];
            rankedIds[i] = ep;
            rankedNames[i] = byName.names[position];
            rankedBlocks[i] = run[ep];
            rankedScores[i] = score == null ? run[ep] * tierWeight[0] : score[ep];
        }
        return new PrefixMatches(keys, rankedIds, rankedNames, rankedBlocks, rankedScores);
    }

    private static final long NAME_POSITION = BlockEntryTable.MAX_ENDPOINTS - 1;

    /**
     * A long whose ascending order is descending score, then ascending name position. Non-negative doubles order as
     * their bits, so the inverted bits rank the score; the lowest 16 bits give way to the name position (scores
     * within 2^-36 of each other, relatively, count as equal).
     */
    static long rankKey(double score, int namePosition) {
        return ((Long.MAX_VALUE - Double.doubleToLongBits(score)) & ~NAME_POSITION) | namePosition;
    }

    /** The registered endpoints in name order, computed once per endpoint set (the set changes rarely). */
    private NameOrder nameOrder(EndpointState[] states) {
        NameOrder cached = nameOrder;
        if (cached != null && cached.states == states) {
            return cached;
        }
        EndpointState[] sorted = Arrays.stream(states).filter(Objects::nonNull)
                .sorted(Comparator.comparing((EndpointState st) -> st.name)).toArray(EndpointState[]::new);
        NameOrder order = new NameOrder(states, Arrays.stream(sorted).mapToInt(st -> st.id).toArray(),
                Arrays.stream(sorted).map(st -> st.name).toArray(String[]::new));
        nameOrder = order;
        return order;
    }

    /**
     * Ids and names of one endpoint array's endpoints in name order (the array is compared by identity: the index
     * replaces it on every change); names kept here so ranking reads no endpoint state.
     */
    private record NameOrder(EndpointState[] states, int[] ids, String[] names) {
    }
}
