package dev.jetway.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;

/**
 * A set of interchangeable model servers and how to pick among them.
 *
 * @param name           pool name (metrics label)
 * @param models         model names this pool serves; empty = whatever its endpoints list in {@code /v1/models}
 * @param endpoints      its model servers
 * @param endpointPicker llm-d {@code EndpointPickerConfig}: a file path (relative to jetway.yaml) or inline YAML;
 *                       absent = Jetway's default config
 */
public record PoolConfig(String name, List<String> models, List<EndpointConfig> endpoints, JsonNode endpointPicker) {

    public PoolConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("every pool needs a name");
        }
        models = models == null ? List.of() : List.copyOf(models);
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
        var seen = new HashSet<String>();
        for (EndpointConfig e : endpoints) {
            if (!seen.add(e.address())) {
                throw new IllegalArgumentException("pool " + name + " lists endpoint " + e.address() + " twice");
            }
        }
    }
}
