package dev.jetway.scheduler.plugins.datalayer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.Plugin;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A data-layer plugin of llm-d's config, accepted so llm-d configs load, its parameters validated, but read by
 * nothing: Jetway's gateway scrapes and discovers as jetway.yaml says ({@link #jetwayKeys} names the keys that do each
 * type's job), and the pipeline warns so when a config declares one. Types:
 * <ul>
 *   <li>{@code metrics-data-source}: {@code scheme} (http), {@code path} (/metrics), {@code insecureSkipVerify}
 *       (true), {@code interval} (every 50 ms tick when absent);</li>
 *   <li>{@code core-metrics-extractor}: vLLM's metric names (other engines' {@code engineConfigs} and
 *       {@code customMetrics} are kept raw);</li>
 *   <li>{@code endpoint-notification-source}, {@code models-data-source}, {@code models-data-extractor},
 *       {@code file-discovery}, {@code k8s-notification-source}: parameters kept raw for the gateway.</li>
 * </ul>
 */
public final class DataLayerPlugin implements Plugin {

    public static final String METRICS_DATA_SOURCE = "metrics-data-source";
    public static final String CORE_METRICS_EXTRACTOR = "core-metrics-extractor";
    public static final List<String> TYPES = List.of(METRICS_DATA_SOURCE, CORE_METRICS_EXTRACTOR,
            "endpoint-notification-source", "models-data-source", "models-data-extractor", "file-discovery",
            "k8s-notification-source");

    private final String type;
    private final String name;
    private final Map<String, Object> settings;

    public DataLayerPlugin(String type, String name, Map<String, Object> settings) {
        this.type = type;
        this.name = name;
        this.settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
    }

    public static DataLayerPlugin create(String type, String name, PluginParameters p) {
        Map<String, Object> s = new java.util.LinkedHashMap<>();
        switch (type) {
            case METRICS_DATA_SOURCE -> {
                s.put("scheme", p.oneOf("scheme", "http", List.of("http", "https")));
                String path = p.string("path", "/metrics");
                if (!path.startsWith("/")) {
                    throw p.error("path", "must start with '/', got '" + path + "'");
                }
                s.put("path", path);
                s.put("insecureSkipVerify", p.bool("insecureSkipVerify", true));
                String interval = p.string("interval", null);
                if (interval != null) {
                    s.put("interval", parseDuration(p, "interval", interval));
                }
            }
            case CORE_METRICS_EXTRACTOR -> {
                putRaw(s, p, "engineConfigs");
                putRaw(s, p, "customMetrics");
                putRaw(s, p, "defaultEngine");
            }
            default -> {
                // Kept raw: the gateway interprets these when it implements them.
                JsonNode all = p.acceptAll();
                if (all != null) {
                    all.properties().forEach(e -> s.put(e.getKey(), e.getValue()));
                }
            }
        }
        return new DataLayerPlugin(type, name, s);
    }

    /** The jetway.yaml keys that do the job of a data-layer plugin of this type (see docs/configuration.md). */
    public static String jetwayKeys(String type) {
        return switch (type) {
            case METRICS_DATA_SOURCE -> "dataLayer.metricsPath, dataLayer.scrapeInterval, dataLayer.scrapeTimeout "
                    + "(https: pools[].tls)";
            case CORE_METRICS_EXTRACTOR -> "pools[].engine (the engine whose metric names are read)";
            case "endpoint-notification-source", "k8s-notification-source" -> "pools[].endpoints, "
                    + "pools[].inferencePool or pools[].endpointsFile (KV events: pools[].endpoints[].kvEvents, "
                    + "pools[].inferencePool.kvEventsPort)";
            case "file-discovery" -> "pools[].endpointsFile";
            case "models-data-source", "models-data-extractor" -> "dataLayer.modelsRefreshInterval";
            default -> "dataLayer.*";
        };
    }

    private static void putRaw(Map<String, Object> s, PluginParameters p, String field) {
        JsonNode n = p.raw(field);
        if (n != null && !n.isNull()) {
            s.put(field, n);
        }
    }

    /** Go-style durations as llm-d writes them: {@code 50ms}, {@code 1s}, {@code 2m}. */
    static Duration parseDuration(PluginParameters p, String field, String text) {
        Duration d = PluginParameters.parseGoDuration(text);
        if (d == null) {
            throw p.error(field, "must be a duration like 50ms, 1s or 2m, got '" + text + "'");
        }
        return d;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public String name() {
        return name;
    }

    /** Validated settings (for {@code metrics-data-source}: scheme, path, insecureSkipVerify, optional interval). */
    public Map<String, Object> settings() {
        return settings;
    }

    /** For a {@code metrics-data-source}: the path to scrape. */
    public String metricsPath() {
        return (String) settings.getOrDefault("path", "/metrics");
    }

    /** For a {@code metrics-data-source}: http or https. */
    public String metricsScheme() {
        return (String) settings.getOrDefault("scheme", "http");
    }

    @Override
    public String describeParameters() {
        StringBuilder sb = new StringBuilder();
        settings.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append('=').append(v));
        return sb.toString();
    }
}
