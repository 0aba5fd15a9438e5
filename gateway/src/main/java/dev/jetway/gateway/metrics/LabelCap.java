package dev.jetway.gateway.metrics;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Caps a label's distinct values (llm-d caps model names and fairness ids at 1000): later newcomers become
 * {@value #OTHER}, so a client inventing model names cannot blow up the metrics registry.
 */
public final class LabelCap {

    public static final String OTHER = "other";

    private final int limit;
    private final ConcurrentHashMap<String, Boolean> seen = new ConcurrentHashMap<>();

    public LabelCap(int limit) {
        this.limit = limit;
    }

    public String apply(String value) {
        if (value == null) {
            return "";
        }
        if (seen.containsKey(value)) {
            return value;
        }
        synchronized (this) {
            if (seen.size() < limit) {
                seen.putIfAbsent(value, Boolean.TRUE);
                return value;
            }
        }
        return seen.containsKey(value) ? value : OTHER;
    }
}
