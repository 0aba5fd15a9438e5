package dev.jetway.gateway.datalayer;

import java.util.Map;

/** One sample line of the Prometheus text format. */
public record PromSample(String name, Map<String, String> labels, double value) {

    public String label(String key) {
        return labels.get(key);
    }
}
