package dev.jetway.bench.workload;

/**
 * A deterministic source of requests: {@code request(i)} is the i-th request to issue, the same for the same
 * configuration and seed, so live benchmarks and every policy of a simulation see the identical sequence.
 */
public sealed interface Workload permits SharedPrefixWorkload, RandomWorkload, ChatWorkload, MixedWorkload,
        TimedWorkload {

    /** The workload type as written in config files ({@code shared_prefix}, {@code random}, ...). */
    String type();

    /** The i-th request in issue order. Cyclic workloads accept any index; a {@link TimedWorkload} only its own. */
    WorkloadRequest request(long index);
}
