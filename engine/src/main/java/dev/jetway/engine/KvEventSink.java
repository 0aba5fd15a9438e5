package dev.jetway.engine;

import dev.jetway.kvcache.event.KvEvent;

/**
 * Where the engine sends KV-cache events, in the order they happen. The sim server batches them onto ZMQ; the
 * what-if simulator delivers them to the precise index after a modelled delay.
 */
@FunctionalInterface
public interface KvEventSink {

    KvEventSink NONE = (event, timeNanos) -> {
    };

    void accept(KvEvent event, long timeNanos);
}
