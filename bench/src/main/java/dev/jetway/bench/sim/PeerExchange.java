package dev.jetway.bench.sim;

/**
 * How simulated gateway replicas exchange routing digests (what each routed where, and its in-flight counts), as
 * the gateway's peer sync does over the admin port: every {@code periodNanos} each live gateway sends its digest to
 * every other, which applies it {@code delayNanos} later (serialisation, the network, the receiver's turn), and
 * forgets a peer it has not heard from for {@code peerTimeoutNanos} (its in-flight counts leave the load view).
 * Gateways start their periods evenly spread over one period, as independent processes would.
 */
public record PeerExchange(long periodNanos, long delayNanos, long peerTimeoutNanos) {

    public PeerExchange {
        if (periodNanos <= 0 || delayNanos < 0 || peerTimeoutNanos <= 0) {
            throw new IllegalArgumentException("peer sync period and timeout must be > 0 and delay >= 0");
        }
    }
}
