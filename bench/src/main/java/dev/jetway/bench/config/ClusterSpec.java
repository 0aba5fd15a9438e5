package dev.jetway.bench.config;

import java.util.List;

/**
 * The deployment a workload file describes, used by {@code jetway simulate} (CLI flags override it) and by reports.
 *
 * @param kvCacheTokensPerReplica KV capacity override in tokens, or 0 to use the engine profile's
 * @param gpusPerReplica          GPUs one replica uses (for tokens per dollar)
 * @param groups                  a heterogeneous pool ({@code cluster.groups}): replicas of the same model on
 *                                different engine profiles, in replica order; empty when the pool is uniform
 *                                ({@code replicas} x {@code profile})
 * @param pd                      the P/D pools to simulate ({@code cluster.pd}), or null; then {@code replicas} x
 *                                {@code profile} describe the aggregated pool they are compared with
 */
public record ClusterSpec(int replicas, String profile, int blockSize, int kvCacheTokensPerReplica,
                          int maxNumBatchedTokens, int gpusPerReplica, List<Group> groups, Pd pd) {

    public ClusterSpec {
        groups = List.copyOf(groups);
    }

    /** A pool without P/D. */
    public ClusterSpec(int replicas, String profile, int blockSize, int kvCacheTokensPerReplica,
                       int maxNumBatchedTokens, int gpusPerReplica, List<Group> groups) {
        this(replicas, profile, blockSize, kvCacheTokensPerReplica, maxNumBatchedTokens, gpusPerReplica, groups, null);
    }

    /** A uniform pool. */
    public ClusterSpec(int replicas, String profile, int blockSize, int kvCacheTokensPerReplica,
                       int maxNumBatchedTokens, int gpusPerReplica) {
        this(replicas, profile, blockSize, kvCacheTokensPerReplica, maxNumBatchedTokens, gpusPerReplica, List.of());
    }

    /**
     * {@code cluster.pd}: P/D pools of {@code prefillProfile} prefill and {@code decodeProfile} decode replicas, one
     * per split; a profile left out (null) is the cluster's {@code profile}.
     */
    public record Pd(List<PdSplit> splits, String prefillProfile, String decodeProfile) {
        public Pd {
            splits = List.copyOf(splits);
        }
    }

    /**
     * {@code replicas} replicas on engine profile {@code profile}; 0 for the KV capacity or batch budget means the
     * cluster's setting (and then the profile's or vLLM's default).
     */
    public record Group(int replicas, String profile, int kvCacheTokensPerReplica, int maxNumBatchedTokens) {
    }
}
