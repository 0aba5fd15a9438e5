package dev.jetway.cli;

import dev.jetway.bench.config.ClusterSpec;
import dev.jetway.bench.config.PdSplit;
import dev.jetway.bench.sim.ClusterLayout;
import dev.jetway.bench.sim.ReplicaRole;
import dev.jetway.engine.EngineConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The pools a P/D run of {@code jetway simulate} compares, from its flags and the workload's {@code cluster.pd}
 * (flags win): one split pool per {@code xPyD} ({@code --pd}), and the aggregated pools its {@code --baseline}
 * policies run on: {@code --profile} (or {@code cluster.profile}, else the prefill profile) with {@code --replicas}
 * (or {@code cluster.replicas}), by default as many replicas as give each split's GPU count.
 *
 * @param splits    one per split, in the order given
 * @param baselines aggregated pools, one per distinct size
 */
record SimulatedPdPools(List<ClusterLayout> splits, List<ClusterLayout> baselines) {

    /** What the flags say; null when a flag was not given. */
    record Flags(List<String> pd, String prefillProfile, String decodeProfile, String profile, List<Integer> replicas,
                 Integer blockSize, Integer maxNumBatchedTokens, Long kvCacheTokens) {
    }

    /** Whether the run is a P/D run: {@code --pd} or {@code cluster.pd}. */
    static boolean requested(Flags flags, ClusterSpec spec) {
        return flags.pd() != null && !flags.pd().isEmpty() || spec != null && spec.pd() != null;
    }

    static SimulatedPdPools resolve(Flags flags, ClusterSpec spec) {
        ClusterSpec.Pd file = spec == null ? null : spec.pd();
        if (flags.profile() != null && flags.profile().contains(":")) {
            throw new IllegalArgumentException("--profile " + flags.profile() + ": a pool of groups does not mix with "
                    + "--pd; the split gives the groups (--prefill-profile, --decode-profile)");
        }
        if (spec != null && !spec.groups().isEmpty()) {
            throw new IllegalArgumentException("cluster.groups does not mix with --pd; the split gives the groups");
        }
        List<PdSplit> splits = flags.pd() != null && !flags.pd().isEmpty() ? PdSplit.parseList(flags.pd(), "--pd")
                : file.splits();
        String clusterProfile = flags.profile() != null ? flags.profile()
                : spec != null && spec.profile() != null ? spec.profile() : null;
        String fallback = clusterProfile != null ? clusterProfile : SimulatedCluster.DEFAULT_PROFILE;
        String prefillName = first(flags.prefillProfile(), file == null ? null : file.prefillProfile(), fallback);
        String decodeName = first(flags.decodeProfile(), file == null ? null : file.decodeProfile(), fallback);
        int blockSize = flags.blockSize() != null ? flags.blockSize()
                : spec != null && spec.blockSize() > 0 ? spec.blockSize() : EngineConfig.DEFAULT_BLOCK_SIZE;
        long budget = flags.maxNumBatchedTokens() != null ? flags.maxNumBatchedTokens()
                : spec == null ? 0 : spec.maxNumBatchedTokens();
        long kv = flags.kvCacheTokens() != null ? flags.kvCacheTokens()
                : spec == null ? 0 : spec.kvCacheTokensPerReplica();
        String fallbackWhere = flags.profile() != null ? "--profile" : "cluster.profile";
        EngineConfig prefill = SimulatedCluster.engine(flags.prefillProfile() != null ? "--prefill-profile"
                        : file != null && file.prefillProfile() != null ? "cluster.pd.prefillProfile" : fallbackWhere,
                prefillName, blockSize, budget, kv);
        EngineConfig decode = SimulatedCluster.engine(flags.decodeProfile() != null ? "--decode-profile"
                        : file != null && file.decodeProfile() != null ? "cluster.pd.decodeProfile" : fallbackWhere,
                decodeName, blockSize, budget, kv);
        List<ClusterLayout> splitLayouts = new ArrayList<>();
        for (PdSplit s : splits) {
            splitLayouts.add(ClusterLayout.pd(s.prefill(), prefill, s.decode(), decode));
        }

        String baselineName = clusterProfile != null ? clusterProfile : prefillName;
        EngineConfig baseline = SimulatedCluster.engine(clusterProfile != null ? fallbackWhere
                        : flags.prefillProfile() != null ? "--prefill-profile" : "cluster.pd.prefillProfile",
                baselineName, blockSize, budget, kv);
        Set<Integer> counts = new LinkedHashSet<>();
        if (flags.replicas() != null && !flags.replicas().isEmpty()) {
            counts.addAll(flags.replicas());
        } else if (spec != null && spec.replicas() > 0) {
            counts.add(spec.replicas());
        } else {
            int perReplica = baseline.profile().hardware().gpus();
            for (ClusterLayout s : splitLayouts) {
                if (s.gpus() % perReplica != 0) {
                    throw new IllegalArgumentException("the split " + s.label() + " has " + s.gpus() + " GPUs, which "
                            + baselineName + " (" + perReplica + " per replica) cannot match: give the baseline's "
                            + "--replicas");
                }
                counts.add(s.gpus() / perReplica);
            }
        }
        List<ClusterLayout> baselines = new ArrayList<>();
        for (int n : counts) {
            if (n < 1) {
                throw new IllegalArgumentException("--replicas must be positive: " + n);
            }
            baselines.add(ClusterLayout.uniform(n, baseline));
        }
        return new SimulatedPdPools(List.copyOf(splitLayouts), List.copyOf(baselines));
    }

    private static String first(String flag, String file, String fallback) {
        return flag != null ? flag : file != null ? file : fallback;
    }

    /** {@code 8P2D = 8 x A (prefill) + 2 x B (decode), 16 GPUs}, for the log line. */
    static String describe(ClusterLayout layout) {
        List<String> parts = new ArrayList<>();
        for (ClusterLayout.Group g : layout.groups()) {
            parts.add(g.replicas() + " x " + g.engine().profile().name()
                    + (g.role() == ReplicaRole.BOTH ? "" : " (" + g.role().label() + ")"));
        }
        return layout.label() + " = " + String.join(" + ", parts) + ", " + layout.gpus() + " GPUs";
    }
}
