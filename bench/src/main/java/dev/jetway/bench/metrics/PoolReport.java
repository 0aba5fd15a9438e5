package dev.jetway.bench.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The pool a policy ran on, for comparing P/D splits with aggregated pools at equal GPU count: its replica groups
 * and GPUs, the output per GPU, and, for a policy that disaggregates, what it decided and how long each leg took.
 *
 * @param layout                 {@code 8P2D} for a split pool, the replica count for an aggregated one
 * @param gpus                   GPUs of all replicas
 * @param groups                 the replica groups in replica order
 * @param outputTokensPerSPerGpu the summary's output tokens/s divided by {@code gpus}
 * @param pd                     the policy's P/D decisions and leg times; null when the policy does not
 *                               disaggregate
 */
public record PoolReport(String layout, int gpus, List<Group> groups,
                         @JsonProperty("output_tokens_per_s_per_gpu") double outputTokensPerSPerGpu, PdSummary pd) {

    public PoolReport {
        groups = List.copyOf(groups);
    }

    /** {@code replicas} replicas doing {@code role} ({@code prefill}, {@code decode}, {@code both}) on a profile. */
    public record Group(String role, int replicas, String profile, int gpusPerReplica) {
    }

    /** Whether the pool has prefill-only replicas. */
    public boolean split() {
        return groups.stream().anyMatch(g -> g.role().equals("prefill"));
    }
}
