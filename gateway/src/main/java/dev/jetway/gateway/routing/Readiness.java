package dev.jetway.gateway.routing;

import dev.jetway.gateway.datalayer.GatewayEndpoint;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * What {@code /ready} answers: ready once every gate is open (discovery has read what it watches) and some pool
 * serves by what its scrapes have shown ({@link RoutingTable#anyServing}), so a load balancer sends nothing to a
 * gateway that has yet to see its model servers.
 */
public final class Readiness {

    private final Supplier<RoutingTable> table;
    private final List<Supplier<String>> gates = new CopyOnWriteArrayList<>();
    private volatile boolean draining;

    Readiness(Supplier<RoutingTable> table) {
        this.table = table;
    }

    /** Adds a gate: {@code waitingFor} returns null when open, else what is awaited (shown in the 503 body). */
    public void addGate(Supplier<String> waitingFor) {
        gates.add(waitingFor);
    }

    /** The server drains for shutdown: never ready again, so load balancers stop sending it requests. */
    public void drain() {
        draining = true;
    }

    /**
     * The engine each endpoint's metrics are read as, by {@code pool/address}: the pool's {@code engine}, or with
     * {@code auto} the one recognised from the endpoint's page ({@code llama.cpp (recognised)}).
     */
    public Map<String, String> engines() {
        Map<String, String> out = new TreeMap<>();
        for (GatewayPool p : table.get().pools()) {
            for (GatewayEndpoint e : p.endpoints()) {
                out.put(p.name() + "/" + e.address(), e.engine());
            }
        }
        return out;
    }

    /**
     * The routing tokenizer of each pool, by name: the pool's {@code tokenizer}, or with {@code auto} the one chosen
     * ({@code engine (auto)}, {@code estimate (auto)}).
     */
    public Map<String, String> tokenizers() {
        Map<String, String> out = new TreeMap<>();
        for (GatewayPool p : table.get().pools()) {
            out.put(p.name(), p.tokenizerChoice().label());
        }
        return out;
    }

    /** Null when ready; else why not. */
    public String notReadyReason() {
        if (draining) {
            return "draining for shutdown";
        }
        for (Supplier<String> gate : gates) {
            String waiting = gate.get();
            if (waiting != null) {
                return "waiting for " + waiting;
            }
        }
        return table.get().anyServing() ? null : "no ready endpoint";
    }
}
