package dev.jetway.bench.config;

/**
 * The deployment a workload file describes, used by {@code jetway simulate} (CLI flags override it) and by reports.
 *
 * @param kvCacheTokensPerReplica KV capacity override in tokens, or 0 to use the engine profile's
 * @param gpusPerReplica          GPUs one replica uses (for tokens per dollar)
 */
public record ClusterSpec(int replicas, String profile, int blockSize, int kvCacheTokensPerReplica,
                          int maxNumBatchedTokens, int gpusPerReplica) {
}
