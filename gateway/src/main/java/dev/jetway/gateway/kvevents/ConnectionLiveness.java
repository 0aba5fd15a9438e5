package dev.jetway.gateway.kvevents;

import org.zeromq.ZMQ;

/**
 * How the gateway's ZMQ connections to a model server (KV-event subscription, replay) notice that they are dead.
 *
 * <ul>
 *   <li>{@code handshakeMillis}: JeroMQ 0.6.0 now and then stalls a fresh connect's handshake on the connecting side
 *       (a few percent of connects on a busy host, docs/simulator.md); the socket then hears nothing until this timer
 *       drops and redials it. JeroMQ's default is 30 s.</li>
 *   <li>{@code heartbeatIntervalMillis}, {@code heartbeatTimeoutMillis}: ZMTP 3.1 heartbeats. The PINGs keep an idle
 *       connection alive through middleboxes that drop idle flows, and give TCP something to retransmit, so a peer
 *       that vanished is noticed; libzmq (pyzmq, under vLLM) and JeroMQ answer them on their own. The timeout should
 *       close a connection that hears nothing, but JeroMQ 0.6.0 does not always fire it (2 of 12 loaded runs of
 *       {@code KvEventSubscriberTest} never redialled a silenced connection), so recovery does not rely on it:</li>
 *   <li>{@code resubscribeBackoffMillis}: when the index counts the endpoint silent (requests with new blocks routed
 *       there, the first overdue, and not one message back), the subscriber drops its connection and dials again, at
 *       most once per this interval.</li>
 * </ul>
 */
record ConnectionLiveness(int handshakeMillis, int heartbeatIntervalMillis, int heartbeatTimeoutMillis,
                          int resubscribeBackoffMillis) {

    static final ConnectionLiveness DEFAULT = new ConnectionLiveness(2_000, 5_000, 15_000, 30_000);

    ConnectionLiveness {
        if (handshakeMillis <= 0 || heartbeatIntervalMillis <= 0 || heartbeatTimeoutMillis <= heartbeatIntervalMillis
                || resubscribeBackoffMillis <= 0) {
            throw new IllegalArgumentException("liveness needs positive times and a heartbeat timeout longer than its "
                    + "interval: " + handshakeMillis + ", " + heartbeatIntervalMillis + ", " + heartbeatTimeoutMillis
                    + ", " + resubscribeBackoffMillis);
        }
    }

    long resubscribeBackoffNanos() {
        return resubscribeBackoffMillis * 1_000_000L;
    }

    /** Sets the timers on a socket before it connects. */
    void applyTo(ZMQ.Socket socket) {
        socket.setHandshakeIvl(handshakeMillis);
        socket.setHeartbeatIvl(heartbeatIntervalMillis);
        socket.setHeartbeatTimeout(heartbeatTimeoutMillis);
    }
}
