package dev.jetway.cli;

import dev.jetway.bench.config.ClusterSpec;
import dev.jetway.bench.sim.ClusterLayout;
import dev.jetway.engine.EngineConfig;
import dev.jetway.engine.EngineProfiles;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster(s) {@code jetway simulate} models, from its flags and the workload's {@code cluster} section (flags
 * win). Uniform: {@code --replicas N[,M...]} x {@code --profile NAME}, one layout per count. Heterogeneous:
 * {@code --profile A:4,B:4} or {@code cluster.groups}, one layout whose groups give the counts.
 *
 * @param layouts one per simulated cluster size
 * @param grouped the pool has groups (then there is one layout, and {@code --replicas} does not apply)
 */
record SimulatedCluster(List<ClusterLayout> layouts, boolean grouped) {

    static final String DEFAULT_PROFILE = "qwen3-32b-h100-tp2";

    /** What the flags say; null when a flag was not given. */
    record Flags(String profile, List<Integer> replicas, Integer blockSize, Integer maxNumBatchedTokens,
                 Long kvCacheTokens) {
    }

    static SimulatedCluster resolve(Flags flags, ClusterSpec spec) {
        int blockSize = flags.blockSize() != null ? flags.blockSize()
                : spec != null && spec.blockSize() > 0 ? spec.blockSize() : EngineConfig.DEFAULT_BLOCK_SIZE;
        List<ClusterSpec.Group> groups = flags.profile() != null ? parseGroups(flags.profile())
                : spec != null ? spec.groups() : List.of();
        if (!groups.isEmpty()) {
            if (flags.replicas() != null && !flags.replicas().isEmpty()) {
                throw new IllegalArgumentException("--replicas does not apply to a cluster of groups ("
                        + (flags.profile() != null ? "--profile " + flags.profile() : "cluster.groups")
                        + "): the groups give the replica counts");
            }
            List<ClusterLayout.Group> out = new ArrayList<>();
            for (int i = 0; i < groups.size(); i++) {
                ClusterSpec.Group g = groups.get(i);
                String where = flags.profile() != null ? "--profile " + g.profile() : "cluster.groups[" + i + "].profile";
                out.add(new ClusterLayout.Group(g.replicas(), engine(where, g.profile(), blockSize,
                        first(flags.maxNumBatchedTokens(), g.maxNumBatchedTokens(), spec == null ? 0 : spec.maxNumBatchedTokens()),
                        first(flags.kvCacheTokens(), g.kvCacheTokensPerReplica(), spec == null ? 0 : spec.kvCacheTokensPerReplica()))));
            }
            return new SimulatedCluster(List.of(new ClusterLayout(out)), true);
        }
        String profile = flags.profile() != null ? flags.profile()
                : spec != null && spec.profile() != null ? spec.profile() : DEFAULT_PROFILE;
        List<Integer> counts = flags.replicas() != null && !flags.replicas().isEmpty() ? flags.replicas()
                : List.of(spec != null && spec.replicas() > 0 ? spec.replicas() : 4);
        EngineConfig engine = engine(flags.profile() != null ? "--profile" : "cluster.profile", profile, blockSize,
                first(flags.maxNumBatchedTokens(), 0, spec == null ? 0 : spec.maxNumBatchedTokens()),
                first(flags.kvCacheTokens(), 0, spec == null ? 0 : spec.kvCacheTokensPerReplica()));
        List<ClusterLayout> layouts = new ArrayList<>();
        for (int n : counts) {
            if (n < 1) {
                throw new IllegalArgumentException("--replicas must be positive: " + n);
            }
            layouts.add(ClusterLayout.uniform(n, engine));
        }
        return new SimulatedCluster(List.copyOf(layouts), false);
    }

    /** {@code A:4,B:4}: profile A for 4 replicas, then B for 4; a name without a count is not a group. */
    static List<ClusterSpec.Group> parseGroups(String value) {
        if (!value.contains(":")) {
            if (value.contains(",")) {
                throw new IllegalArgumentException("--profile " + value + ": give each group as PROFILE:REPLICAS, "
                        + "e.g. qwen3-32b-h100-tp2:4,qwen3-32b-a100-tp2:4");
            }
            return List.of();
        }
        List<ClusterSpec.Group> out = new ArrayList<>();
        for (String part : value.split(",")) {
            String[] kv = part.strip().split(":");
            int replicas;
            try {
                replicas = kv.length == 2 ? Integer.parseInt(kv[1].strip()) : -1;
            } catch (NumberFormatException e) {
                replicas = -1;
            }
            if (kv.length != 2 || kv[0].isBlank() || replicas < 1) {
                throw new IllegalArgumentException("--profile " + value + ": '" + part.strip()
                        + "' is not PROFILE:REPLICAS with at least one replica");
            }
            out.add(new ClusterSpec.Group(replicas, kv[0].strip(), 0, 0));
        }
        return out;
    }

    /** A built-in profile's engine with the run's block size, batch budget (0: vLLM's) and KV override (0: none). */
    static EngineConfig engine(String where, String profile, int blockSize, long budget, long kv) {
        EngineConfig engine;
        try {
            engine = EngineConfig.defaults(EngineProfiles.byName(profile));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
        engine = engine.withBlockSize(blockSize).withMaxNumBatchedTokens(
                budget > 0 ? Math.toIntExact(budget) : EngineConfig.DEFAULT_MAX_NUM_BATCHED_TOKENS);
        return kv > 0 ? engine.withKvCapacityTokens(kv) : engine;
    }

    /** The first value given (a flag, then the group's field, then the cluster's); 0 = none. */
    private static long first(Number flag, long group, long cluster) {
        if (flag != null) {
            return flag.longValue();
        }
        return group > 0 ? group : cluster;
    }

    /** The profile as the report names it: one name, or {@code A:4,B:4} for a grouped pool. */
    String profileLabel() {
        ClusterLayout first = layouts.getFirst();
        return grouped ? first.describe() : first.engine(0).profile().name();
    }
}
