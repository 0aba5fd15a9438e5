package dev.jetway.bench.sim;

import dev.jetway.kvcache.event.KvEvent;

/**
 * Receives the replicas' KV events after the modelled delivery delay (publisher batching, ZMQ, indexer intake): the
 * hook a KV-event-driven (precise) prefix index plugs into, exactly as the gateway's ZMQ subscriber feeds it live.
 */
@FunctionalInterface
public interface KvEventListener {

    /** {@code event} emitted by replica {@code replica} is delivered at virtual time {@code deliveredNanos}. */
    void onKvEvent(int replica, KvEvent event, long deliveredNanos);
}
