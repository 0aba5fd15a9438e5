package dev.jetway.gateway.config;

import java.util.Map;

/**
 * One model server.
 *
 * @param address  {@code host:port} of its OpenAI API
 * @param labels   free labels (e.g. {@code llm-d.ai/role}); visible to label filters
 * @param role     shorthand for the {@code llm-d.ai/role} label: {@code decode}, {@code prefill} or {@code both}
 * @param kvEvents its KV-event publisher ({@code tcp://host:port}), for precise prefix routing
 * @param kvEventsReplay its KV-event replay socket ({@code tcp://host:port}, vLLM's {@code replay_endpoint}), which
 *                 fills a sequence gap instead of dropping the endpoint's entries; optional
 */
public record EndpointConfig(String address, Map<String, String> labels, String role, String kvEvents,
                             String kvEventsReplay) {

    public static final String ROLE_LABEL = "llm-d.ai/role";

    public EndpointConfig {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("every endpoint needs an address (host:port)");
        }
        HostPort.parse(address);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        if (role != null && !(role.equals("decode") || role.equals("prefill") || role.equals("both"))) {
            throw new IllegalArgumentException("endpoint " + address + ": role must be decode, prefill or both, got " + role);
        }
        if (kvEventsReplay != null && !kvEventsReplay.isBlank() && (kvEvents == null || kvEvents.isBlank())) {
            throw new IllegalArgumentException("endpoint " + address + ": kvEventsReplay needs kvEvents (the replay "
                    + "socket only fills gaps in a stream the gateway subscribes to)");
        }
        checkConnectable(address, "kvEvents", kvEvents);
        checkConnectable(address, "kvEventsReplay", kvEventsReplay);
    }

    /**
     * A ZMQ address the gateway can connect to: {@code tcp://host:port} or {@code host:port}. Caught here, a typo is a
     * config error naming the key; at subscription time it would only be a log line and an index that hears nothing.
     */
    private static void checkConnectable(String endpoint, String key, String value) {
        if (value == null || value.isBlank()) {
            return;
        }
        String hostPort = value.startsWith("tcp://") ? value.substring("tcp://".length()) : value;
        String expected = "endpoint " + endpoint + ": " + key + " must be tcp://host:port or host:port, got " + value;
        if (hostPort.contains("://")) {
            throw new IllegalArgumentException(expected + " (the gateway connects over TCP)");
        }
        HostPort parsed;
        try {
            parsed = HostPort.parse(hostPort);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(expected, e);
        }
        if (parsed.host().equals("*") || parsed.host().equals("0.0.0.0") || parsed.host().equals("::")) {
            throw new IllegalArgumentException(expected + " (that is the address the model server binds; give the "
                    + "host the gateway should connect to, e.g. the pod's IP)");
        }
    }

    /** Labels including the role shorthand. */
    public Map<String, String> effectiveLabels() {
        if (role == null || labels.containsKey(ROLE_LABEL)) {
            return labels;
        }
        var merged = new java.util.HashMap<>(labels);
        merged.put(ROLE_LABEL, role);
        return Map.copyOf(merged);
    }
}
