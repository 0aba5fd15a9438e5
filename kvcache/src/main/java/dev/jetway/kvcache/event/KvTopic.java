package dev.jetway.kvcache.event;

/**
 * The ZMQ topic of a vLLM KV-event message, {@code kv@<host>:<port>@<model>}: the prefix the subscriber filters on,
 * the endpoint that published it (the replica's inference address) and the served model.
 */
public record KvTopic(String prefix, String endpoint, String model) {

    /** The prefix vLLM deployments use and llm-d subscribes to. */
    public static final String DEFAULT_PREFIX = "kv";

    public KvTopic {
        if (prefix == null || prefix.isEmpty() || prefix.contains("@")) {
            throw new MalformedKvEventException("topic prefix must be non-empty without '@': " + prefix);
        }
        if (endpoint == null || endpoint.isEmpty() || endpoint.contains("@")) {
            throw new MalformedKvEventException("topic endpoint must be non-empty without '@': " + endpoint);
        }
        if (model == null || model.isEmpty() || model.contains("@")) {
            throw new MalformedKvEventException("topic model must be non-empty without '@': " + model);
        }
    }

    public static KvTopic of(String endpoint, String model) {
        return new KvTopic(DEFAULT_PREFIX, endpoint, model);
    }

    /** Parses {@code <prefix>@<endpoint>@<model>}; exactly three non-empty parts, as llm-d's parser requires. */
    public static KvTopic parse(String topic) {
        if (topic == null) {
            throw new MalformedKvEventException("KV-event topic is missing");
        }
        String[] parts = topic.split("@", -1);
        if (parts.length != 3) {
            throw new MalformedKvEventException(
                    "KV-event topic must be <prefix>@<host>:<port>@<model>, got '" + topic + "'");
        }
        return new KvTopic(parts[0], parts[1], parts[2]);
    }

    @Override
    public String toString() {
        return prefix + '@' + endpoint + '@' + model;
    }
}
