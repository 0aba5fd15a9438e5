package dev.jetway.gateway.discovery;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.jetway.gateway.config.ConfigLoader.ConfigException;
import dev.jetway.gateway.config.EndpointConfig;
import dev.jetway.gateway.config.HostPort;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Reads an endpoints file (YAML or JSON): {@code endpoints:} (or a bare list) of jetway.yaml's endpoint entries
 * ({@code address: host:port}, {@code role}, {@code labels}, {@code kvEvents}, {@code kvEventsReplay}). llm-d's
 * {@code file-discovery} entries load too: {@code address} without a port plus {@code port}, and {@code name} /
 * {@code namespace}, which Jetway does not need and ignores. Every problem in the file is reported at once.
 */
public final class EndpointsFile {

    /** llm-d's file-discovery cap; a larger file is almost certainly not an endpoint list. */
    static final int MAX_BYTES = 1 << 20;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private EndpointsFile() {
    }

    /** The endpoints in {@code text}; {@code source} names the file in errors. */
    public static List<EndpointConfig> parse(byte[] text, String source) {
        if (text.length > MAX_BYTES) {
            throw new ConfigException(source + ": " + text.length + " bytes, more than the " + MAX_BYTES
                    + " an endpoints file may have");
        }
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (IOException e) {
            throw new ConfigException(source + ": not valid YAML or JSON: " + e.getMessage());
        }
        JsonNode list = root == null || root.isMissingNode() || root.isNull() ? null
                : root.isObject() ? root.get("endpoints") : root;
        if (root != null && root.isObject() && root.size() != (root.has("endpoints") ? 1 : 0)) {
            throw new ConfigException(source + ": expected only the key 'endpoints' at the top level");
        }
        if (list == null || list.isNull()) {
            return List.of(); // an empty file or 'endpoints:' = the pool has none now (e.g. drained)
        }
        if (!list.isArray()) {
            throw new ConfigException(source + ": 'endpoints' must be a list");
        }
        List<String> problems = new ArrayList<>();
        List<EndpointConfig> out = new ArrayList<>();
        var seen = new HashSet<String>();
        for (int i = 0; i < list.size(); i++) {
            String where = "endpoints[" + i + "]";
            try {
                EndpointConfig e = YAML.treeToValue(list.get(i), Entry.class).toEndpoint();
                if (!seen.add(e.address())) {
                    problems.add(where + ": " + e.address() + " is listed twice");
                } else {
                    out.add(e);
                }
            } catch (UnrecognizedPropertyException e) {
                problems.add(where + ": unknown key '" + e.getPropertyName() + "' (known: " + e.getKnownPropertyIds()
                        + ")");
            } catch (IOException | RuntimeException e) {
                Throwable cause = e;
                while (cause.getCause() != null) {
                    cause = cause.getCause();
                }
                problems.add(where + ": " + (cause instanceof IllegalArgumentException ? cause.getMessage()
                        : e.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(source + ": " + String.join("; ", problems));
        }
        return List.copyOf(out);
    }

    /** One entry; {@code name} and {@code namespace} are llm-d's and only accepted. */
    record Entry(String name, String namespace, String address, String port, String role,
                 Map<String, String> labels, String kvEvents, String kvEventsReplay) {

        EndpointConfig toEndpoint() {
            String hostPort = address;
            if (port != null && address != null) {
                int p;
                try {
                    p = Integer.parseInt(port.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("port must be a number, got " + port);
                }
                hostPort = new HostPort(address, p).toString();
            }
            return new EndpointConfig(hostPort, labels, role, kvEvents, kvEventsReplay);
        }
    }
}
