package dev.jetway.sim;

import dev.jetway.engine.Clock;
import dev.jetway.engine.Engine;
import dev.jetway.engine.KvEventSink;

/** Builds the engine model behind one replica. */
public interface EngineFactory {

    /**
     * @param options     the simulator's options (profile, block size, limits, seed)
     * @param replica     which replica, and where it is reachable (P/D {@code remote_host}/{@code remote_port})
     * @param kvEvents    where the engine sends its KV events
     * @param clock       the engine's time (wall time, on the replica's ideal step timeline)
     */
    Engine create(SimOptions options, ReplicaAddress replica, KvEventSink kvEvents, Clock clock);

    /** The max model length in force: {@code options.maxModelLen()}, or the profile's when that is 0. */
    int maxModelLen(SimOptions options);

    /** Replica {@code index} of a cluster, serving HTTP on {@code host:port}. */
    record ReplicaAddress(int index, String host, int port) {
    }
}
