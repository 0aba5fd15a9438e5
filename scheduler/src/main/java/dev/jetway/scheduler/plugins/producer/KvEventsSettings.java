package dev.jetway.scheduler.plugins.producer;

/**
 * llm-d's {@code kvEventsConfig} of the precise producer: how the host subscribes to the model servers' KV events.
 * The scheduler only validates and carries it; the gateway's subscribers act on it.
 *
 * @param topicFilter  ZMQ subscription prefix ({@code kv@})
 * @param concurrency  llm-d's worker count; Jetway reads each endpoint on its own thread, so it is informational
 * @param discoverPods subscribe to every endpoint of the pool at {@code tcp://<endpoint host>:<socketPort>} unless
 *                     the endpoint names its own KV-events address
 * @param socketPort   the model servers' publisher port when discovering ({@code podDiscoveryConfig.socketPort},
 *                     vLLM's default 5557)
 */
public record KvEventsSettings(String topicFilter, int concurrency, boolean discoverPods, int socketPort) {

    public static final KvEventsSettings DEFAULTS = new KvEventsSettings("kv@", 4, false, 5557);
}
