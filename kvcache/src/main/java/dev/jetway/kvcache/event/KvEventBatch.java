package dev.jetway.kvcache.event;

import java.util.List;

/**
 * vLLM's {@code EventBatch}: the msgpack payload of one KV-event message.
 *
 * @param ts     publish time, Unix seconds
 * @param events events in the order the engine produced them
 * @param dpRank data-parallel rank of the publishing engine, or null
 */
public record KvEventBatch(double ts, List<KvEvent> events, Integer dpRank) {

    public KvEventBatch {
        events = List.copyOf(events);
    }
}
