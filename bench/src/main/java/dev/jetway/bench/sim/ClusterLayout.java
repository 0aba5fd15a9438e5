package dev.jetway.bench.sim;

import dev.jetway.engine.EngineConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The replicas of a simulated pool, as groups of replicas that share one engine configuration: a uniform pool is one
 * group; a heterogeneous pool serves the same model on different hardware (e.g. 4 replicas on H100s and 4 on A100s).
 * Replicas are numbered group by group. A P/D pool ({@link #pd}) is a group of prefill replicas and a group of decode
 * replicas, each with its own engine ({@link Group#role()}); they serve one model, their TP may differ.
 *
 * <p>Every replica must serve the same model and use the same KV block size: the gateway's prefix index keys a prompt by blocks of one size,
 * and a KV-event-driven index reads every replica's events with that size, so a pool whose replicas disagree could
 * not be routed by prefix at all.
 */
public record ClusterLayout(List<Group> groups) {

    /** {@code replicas} replicas configured as {@code engine}, doing {@code role}. */
    public record Group(int replicas, EngineConfig engine, ReplicaRole role) {
        public Group {
            Objects.requireNonNull(engine, "engine");
            Objects.requireNonNull(role, "role");
            if (replicas < 1) {
                throw new IllegalArgumentException("a replica group needs at least one replica: " + replicas);
            }
        }

        /** Aggregated replicas. */
        public Group(int replicas, EngineConfig engine) {
            this(replicas, engine, ReplicaRole.BOTH);
        }
    }

    public ClusterLayout {
        groups = List.copyOf(groups);
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one replica group");
        }
        int blockSize = groups.getFirst().engine().blockSize();
        String model = groups.getFirst().engine().profile().model().huggingFaceName();
        for (int g = 1; g < groups.size(); g++) {
            String otherModel = groups.get(g).engine().profile().model().huggingFaceName();
            if (!otherModel.equals(model)) {
                throw new IllegalArgumentException("every replica of a pool must serve the same model: group 0 ("
                        + groups.getFirst().engine().profile().name() + ") serves " + model + ", group " + g + " ("
                        + groups.get(g).engine().profile().name() + ") serves " + otherModel);
            }
            int other = groups.get(g).engine().blockSize();
            if (other != blockSize) {
                throw new IllegalArgumentException("every replica must use the same KV block size (the prefix index "
                        + "keys blocks by one size): group 0 (" + groups.getFirst().engine().profile().name() + ") has "
                        + blockSize + ", group " + g + " (" + groups.get(g).engine().profile().name() + ") has " + other);
            }
        }
        boolean prefill = groups.stream().anyMatch(g -> g.role() == ReplicaRole.PREFILL);
        boolean decode = groups.stream().anyMatch(g -> g.role() != ReplicaRole.PREFILL);
        if (prefill && !decode) {
            throw new IllegalArgumentException("a pool of prefill replicas needs decode replicas to serve anything");
        }
    }

    /**
     * A P/D pool: {@code prefillReplicas} prefill replicas of {@code prefill}, then {@code decodeReplicas} decode
     * replicas of {@code decode}.
     */
    public static ClusterLayout pd(int prefillReplicas, EngineConfig prefill, int decodeReplicas, EngineConfig decode) {
        return new ClusterLayout(List.of(new Group(prefillReplicas, prefill, ReplicaRole.PREFILL),
                new Group(decodeReplicas, decode, ReplicaRole.DECODE)));
    }

    /** Whether some replicas only prefill or only decode. */
    public boolean disaggregated() {
        return groups.stream().anyMatch(g -> g.role() != ReplicaRole.BOTH);
    }

    /** Replicas of {@code role}. */
    public int replicas(ReplicaRole role) {
        int n = 0;
        for (Group g : groups) {
            if (g.role() == role) {
                n += g.replicas();
            }
        }
        return n;
    }

    /** The role of replica {@code replica} (0-based, group by group). */
    public ReplicaRole role(int replica) {
        return group(replica).role();
    }

    /** One group: {@code replicas} replicas of {@code engine}. */
    public static ClusterLayout uniform(int replicas, EngineConfig engine) {
        return new ClusterLayout(List.of(new Group(replicas, engine)));
    }

    /** Replicas in all groups. */
    public int replicas() {
        int n = 0;
        for (Group g : groups) {
            n += g.replicas();
        }
        return n;
    }

    /** The engine of replica {@code replica} (0-based, group by group). */
    public EngineConfig engine(int replica) {
        return group(replica).engine();
    }

    private Group group(int replica) {
        int first = 0;
        for (Group g : groups) {
            if (replica < first + g.replicas()) {
                return g;
            }
            first += g.replicas();
        }
        throw new IndexOutOfBoundsException("cluster has " + replicas() + " replicas: " + replica);
    }

    /** The KV block size every replica uses. */
    public int blockSize() {
        return groups.getFirst().engine().blockSize();
    }

    /** GPUs of all replicas (for tokens per dollar). */
    public int gpus() {
        int n = 0;
        for (Group g : groups) {
            n += g.replicas() * g.engine().profile().hardware().gpus();
        }
        return n;
    }

    /** Profile name of each replica, in replica order. */
    public List<String> profiles() {
        List<String> out = new ArrayList<>(replicas());
        for (Group g : groups) {
            for (int i = 0; i < g.replicas(); i++) {
                out.add(g.engine().profile().name());
            }
        }
        return out;
    }

    /**
     * {@code xPyD} for a P/D pool of x prefill and y decode replicas (what {@code --pd} takes), the total replica
     * count otherwise: the suffix of the report's policy names.
     */
    public String label() {
        return disaggregated() ? replicas(ReplicaRole.PREFILL) + "P" + replicas(ReplicaRole.DECODE) + "D"
                : Integer.toString(replicas());
    }

    /** {@code profile:replicas} per group, comma separated (the {@code --profile} syntax). */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (Group g : groups) {
            parts.add(g.engine().profile().name() + ":" + g.replicas());
        }
        return String.join(",", parts);
    }
}
