package dev.jetway.scheduler.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, validated access to one plugin's {@code parameters}. Every read names the field it consumes; {@link
 * #finish()} then rejects fields nobody read (usually a typo), listing the ones the plugin knows. Errors name the
 * plugin, its type and the field.
 */
public final class PluginParameters {

    private final String pluginName;
    private final String pluginType;
    private final JsonNode node;
    private final Set<String> known = new HashSet<>();

    public PluginParameters(String pluginName, String pluginType, JsonNode node) {
        this.pluginName = pluginName;
        this.pluginType = pluginType;
        this.node = node == null || node.isNull() || node.isMissingNode() ? null : node;
    }

    /** Parameters of a plugin configured without any. */
    public static PluginParameters none(String type) {
        return new PluginParameters(type, type, null);
    }

    public String pluginName() {
        return pluginName;
    }

    public String pluginType() {
        return pluginType;
    }

    /** True when the field is present (and not null). */
    public boolean has(String field) {
        known.add(field);
        return node != null && node.hasNonNull(field);
    }

    /** The raw value of a field (for nested structures), or null. */
    public JsonNode raw(String field) {
        known.add(field);
        return node == null ? null : node.get(field);
    }

    public double number(String field, double defaultValue) {
        JsonNode v = raw(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isNumber()) {
            throw error(field, "must be a number, got '" + v.asText() + "'");
        }
        double d = v.asDouble();
        if (!Double.isFinite(d)) {
            throw error(field, "must be finite, got " + d);
        }
        return d;
    }

    /** A number within [min, max]. */
    public double number(String field, double defaultValue, double min, double max) {
        double d = number(field, defaultValue);
        if (d < min || d > max) {
            throw error(field, "must be between " + min + " and " + max + ", got " + d);
        }
        return d;
    }

    public long integer(String field, long defaultValue, long min, long max) {
        JsonNode v = raw(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
            throw error(field, "must be a whole number, got '" + v.asText() + "'");
        }
        long l = v.asLong();
        if (l < min || l > max) {
            throw error(field, "must be between " + min + " and " + max + ", got " + l);
        }
        return l;
    }

    public int integer(String field, int defaultValue, int min, int max) {
        return (int) integer(field, (long) defaultValue, min, max);
    }

    public boolean bool(String field, boolean defaultValue) {
        JsonNode v = raw(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isBoolean()) {
            throw error(field, "must be true or false, got '" + v.asText() + "'");
        }
        return v.asBoolean();
    }

    public String string(String field, String defaultValue) {
        JsonNode v = raw(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isValueNode()) {
            throw error(field, "must be a string");
        }
        return v.asText();
    }

    /**
     * A Go-style duration as llm-d writes them ({@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}, or several units
     * together such as {@code 1m30s}); a plain number is seconds.
     */
    public Duration duration(String field, Duration defaultValue) {
        JsonNode v = raw(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (v.isNumber()) {
            return Duration.ofNanos(Math.round(v.asDouble() * 1e9));
        }
        Duration d = parseGoDuration(v.asText());
        if (d == null) {
            throw error(field, "must be a duration like 500ms, 2s or 1m, got '" + v.asText() + "'");
        }
        return d;
    }

    private static final Pattern DURATION_PART =
            Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    /** {@code 1m30s} → 90 s; null when the text is not a Go duration. */
    public static Duration parseGoDuration(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            return null;
        }
        Matcher m = DURATION_PART.matcher(t);
        double nanos = 0;
        int at = 0;
        while (at < t.length()) {
            if (!m.find(at) || m.start() != at) {
                return null;
            }
            double n = Double.parseDouble(m.group(1));
            nanos += n * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            at = m.end();
        }
        return Duration.ofNanos(Math.round(nanos));
    }

    /** A string from a fixed set of values. */
    public String oneOf(String field, String defaultValue, Collection<String> allowed) {
        String s = string(field, defaultValue);
        if (s != null && !allowed.contains(s)) {
            throw error(field, "must be one of " + String.join(", ", allowed) + ", got '" + s + "'");
        }
        return s;
    }

    /** A list of strings (a single string is accepted as a one-element list). */
    public List<String> strings(String field, List<String> defaultValue) {
        JsonNode v = raw(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (v.isValueNode()) {
            return List.of(v.asText());
        }
        if (!v.isArray()) {
            throw error(field, "must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isValueNode()) {
                throw error(field, "must be a list of strings");
            }
            out.add(e.asText());
        }
        return List.copyOf(out);
    }

    /** Marks fields as accepted though Jetway does not act on them (documented per plugin). */
    public void accept(String... fields) {
        known.addAll(List.of(fields));
    }

    /** Accepts every field present (for plugins whose parameters are kept raw); returns them, or null. */
    public JsonNode acceptAll() {
        if (node != null) {
            node.fieldNames().forEachRemaining(known::add);
        }
        return node;
    }

    /** Rejects fields that no read consumed. */
    public void finish() {
        if (node == null) {
            return;
        }
        if (!node.isObject()) {
            throw new ConfigException("plugin '" + pluginName + "' (" + pluginType + "): parameters must be a mapping");
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                unknown.add(f);
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException("plugin '" + pluginName + "' (" + pluginType + "): unknown parameter"
                    + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown.stream().map(u -> "'" + u + "'")
                    .toList()) + (known.isEmpty() ? " (this plugin takes no parameters)"
                    : " (known: " + String.join(", ", known.stream().sorted().toList()) + ")"));
        }
    }

    /** An error about one field of this plugin. */
    public ConfigException error(String field, String message) {
        return new ConfigException("plugin '" + pluginName + "' (" + pluginType + "): parameter '" + field + "' "
                + message);
    }
}
