package dev.jetway.bench.sim;

import dev.jetway.engine.EngineConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The replicas of a simulated pool, as groups of replicas that share one engine configuration: a uniform pool is one
 * group; a heterogeneous pool serves the same model on different hardware (e.g. 4 replicas on H100s and 4 on A100s).
 * Replicas are numbered group by group.
 *
 * <p>Every replica must serve the same model and use the same KV block size: the gateway's prefix index keys a prompt by blocks of one size,
 * and a KV-event-driven index reads every replica's events with that size, so a pool whose replicas disagree could
 * not be routed by prefix at all.
 */
public record ClusterLayout(List<Group> groups) {

    /** {@code replicas} replicas configured as {@code engine}. */
    public record Group(int replicas, EngineConfig engine) {
        public Group {
            Objects.requireNonNull(engine, "engine");
            if (replicas < 1) {
                throw new IllegalArgumentException("a replica group needs at least one replica: " + replicas);
            }
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
        int first = 0;
        for (Group g : groups) {
            if (replica < first + g.replicas()) {
                return g.engine();
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

    /** {@code profile:replicas} per group, comma separated (the {@code --profile} syntax). */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (Group g : groups) {
            parts.add(g.engine().profile().name() + ":" + g.replicas());
        }
        return String.join(",", parts);
    }
}
