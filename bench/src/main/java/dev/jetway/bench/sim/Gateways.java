package dev.jetway.bench.sim;

import java.util.Objects;

/**
 * The gateway replicas of a simulated deployment (active-active): {@code count} gateways behind one Service, each
 * with its own scheduler and its own view of the endpoints (in-flight counters, routing history, latency model),
 * all seeing the same scraped metrics and KV events. Each request goes to one of the live gateways ({@link Spread}).
 * At {@code killAtNanos} the last gateway stops: its requests keep running on the engines, its routing state is
 * gone, and the others take all new traffic.
 *
 * @param count       gateway replicas (1: the usual single gateway)
 * @param killAtNanos virtual time at which the last gateway stops, or -1 for never
 * @param spread      how requests are spread over the live gateways
 * @param exchange    what the gateways tell each other, or null when they share nothing
 */
public record Gateways(int count, long killAtNanos, Spread spread, PeerExchange exchange) {

    /** One gateway, nothing killed: the simulation as it always was. */
    public static final Gateways SINGLE = new Gateways(1, -1, Spread.RANDOM, null);

    /** How a Kubernetes Service spreads connections: kube-proxy's iptables mode picks at random, IPVS in turn. */
    public enum Spread {
        RANDOM, ROUND_ROBIN
    }

    public Gateways {
        Objects.requireNonNull(spread, "spread");
        if (count < 1) {
            throw new IllegalArgumentException("--gateways must be at least 1: " + count);
        }
        if (killAtNanos >= 0 && count < 2) {
            throw new IllegalArgumentException("--kill-gateway-at needs --gateways 2 or more (a survivor)");
        }
        if (exchange != null && count < 2) {
            throw new IllegalArgumentException("--peer-sync needs --gateways 2 or more");
        }
    }

    /** More than one gateway: the run measures agreement with a single gateway's decisions. */
    public boolean several() {
        return count > 1;
    }
}
