package dev.jetway.scheduler.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.Objects;

/**
 * One entry of {@code plugins:}: the plugin's type, its name (defaults to the type) and its raw parameters.
 */
public record PluginSpec(String name, String type, JsonNode parameters) {

    public PluginSpec {
        Objects.requireNonNull(type, "type");
        name = name == null || name.isEmpty() ? type : name;
        parameters = parameters == null ? NullNode.getInstance() : parameters;
    }
}
