package dev.jetway.gateway.routing;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The pools of one configuration generation; requests look their pool up here by model name. */
public record RoutingTable(List<GatewayPool> pools, long generation) {

    public RoutingTable {
        pools = List.copyOf(pools);
    }

    /**
     * The pool serving {@code model}, or null (404). A single pool that names no models takes every model, which is
     * what a one-model deployment expects.
     */
    public GatewayPool poolFor(String model) {
        for (GatewayPool p : pools) {
            if (p.serves(model)) {
                return p;
            }
        }
        if (pools.size() == 1 && pools.getFirst().config().models().isEmpty()) {
            return pools.getFirst();
        }
        return null;
    }

    public Set<String> modelIds() {
        Set<String> out = new LinkedHashSet<>();
        for (GatewayPool p : pools) {
            out.addAll(p.modelIds());
        }
        return out;
    }

    /** Whether some pool serves by what its scrapes have shown ({@link GatewayPool#serving}). */
    public boolean anyServing() {
        for (GatewayPool p : pools) {
            if (p.serving()) {
                return true;
            }
        }
        return false;
    }

    /** Whether some pool can take a request now ({@link GatewayPool#readyCandidates}). */
    public boolean anyReady() {
        for (GatewayPool p : pools) {
            if (!p.readyCandidates().isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
