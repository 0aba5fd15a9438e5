package dev.jetway.gateway.kvevents;

import org.zeromq.ZMQ;

/**
 * How the gateway's ZMQ connections to a model server (KV-event subscription, replay) notice that they are dead.
 *
 * <ul>
 *   <li>{@code handshakeMillis}: JeroMQ 0.6.0 now and then stalls a fresh connect's handshake on the connecting side
 *       (a few percent of connects on a busy host, docs/simulator.md); the socket then hears nothing until this timer
 *       drops and redials it. JeroMQ's default is 30 s.</li>
 *   <li>{@code heartbeatIntervalMillis}, {@code heartbeatTimeoutMillis}: ZMTP 3.1 heartbeats (PING every interval; no
 *       traffic at all within the timeout closes the connection, and ZMQ redials). Without them a connection whose
 *       peer vanished without a TCP reset (a node lost, a network partition, a silently dropping middlebox) looks
 *       idle forever, and the index goes blind to that endpoint without a sign. libzmq (pyzmq, under vLLM) and
 *       JeroMQ answer PINGs on their own, so the publisher needs no setting.</li>
 * </ul>
 */
record ConnectionLiveness(int handshakeMillis, int heartbeatIntervalMillis, int heartbeatTimeoutMillis) {

    static final ConnectionLiveness DEFAULT = new ConnectionLiveness(2_000, 5_000, 15_000);

    ConnectionLiveness {
        if (handshakeMillis <= 0 || heartbeatIntervalMillis <= 0 || heartbeatTimeoutMillis <= heartbeatIntervalMillis) {
            throw new IllegalArgumentException("liveness needs positive times and a heartbeat timeout longer than its "
                    + "interval: " + handshakeMillis + ", " + heartbeatIntervalMillis + ", " + heartbeatTimeoutMillis);
        }
    }

    /** Sets the timers on a socket before it connects. */
    void applyTo(ZMQ.Socket socket) {
        socket.setHandshakeIvl(handshakeMillis);
        socket.setHeartbeatIvl(heartbeatIntervalMillis);
        socket.setHeartbeatTimeout(heartbeatTimeoutMillis);
    }
}
