package dev.jetway.bench.sim;

import dev.jetway.kvcache.event.KvEvent;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.sync.PeerSync;
import dev.jetway.scheduler.sync.RoutingDigest;
import java.util.List;

/**
 * One simulated gateway replica: its scheduler (and KV-event listener) and its own objects for the replicas, so its
 * in-flight counters, routing history and latency model are its own, as in a separate process. With a peer exchange
 * it has a {@link PeerSync} that takes and applies digests. A killed gateway routes nothing and hears nothing more.
 */
final class SimGateway {

    private final int index;
    private final SimPolicy.Instance instance;
    private final List<Endpoint> endpoints;
    private final PeerSync sync;
    private boolean alive = true;

    SimGateway(int index, SimPolicy.Instance instance, List<Endpoint> endpoints, boolean exchanges) {
        this.index = index;
        this.instance = instance;
        this.endpoints = endpoints;
        this.sync = exchanges ? new PeerSync(instance.scheduler(), "gateway-" + index) : null;
    }

    int index() {
        return index;
    }

    SimPolicy.Instance instance() {
        return instance;
    }

    Scheduler scheduler() {
        return instance.scheduler();
    }

    List<Endpoint> endpoints() {
        return endpoints;
    }

    boolean alive() {
        return alive;
    }

    void kill() {
        alive = false;
    }

    /** Every gateway subscribes to every engine's KV events; a dead one no longer listens. */
    void deliver(int replica, KvEvent[] events, long nowNanos) {
        KvEventListener listener = instance.kvEvents();
        if (listener == null || !alive) {
            return;
        }
        for (KvEvent event : events) {
            listener.onKvEvent(replica, event, nowNanos);
        }
    }

    RoutingDigest exportDigest() {
        return sync.export(endpoints);
    }

    /** A peer's digest arrives; a dead gateway drops it. */
    void importDigest(RoutingDigest digest, long nowNanos) {
        if (alive) {
            sync.apply(digest, endpoints, nowNanos);
        }
    }

    /** Forgets peers silent for longer than {@code timeoutNanos} (a killed one). */
    void expirePeers(long nowNanos, long timeoutNanos) {
        if (alive) {
            sync.expire(endpoints, nowNanos, timeoutNanos);
        }
    }
}
