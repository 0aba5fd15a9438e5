package dev.jetway.scheduler.config;

import dev.jetway.scheduler.plugins.BuiltInPlugins;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Plugin types by llm-d type name: the built ones with their factories, the renamed ones (old name → new), and the
 * ones Jetway knows but has not built yet, so a config using them fails with a message that says so instead of an
 * "unknown type". Adding a plugin = one {@link #register} call (see {@link BuiltInPlugins}).
 */
public final class PluginRegistry {

    /** A built plugin type. */
    public record Entry(String type, PluginKind kind, PluginFactory factory, String summary) {
    }

    /** A type Jetway recognises but cannot run yet. */
    public record Planned(String type, PluginKind kind, String why) {
    }

    private final Map<String, Entry> entries = new TreeMap<>();
    private final Map<String, String> aliases = new LinkedHashMap<>();
    private final Map<String, Planned> planned = new TreeMap<>();

    /** A registry with every built-in plugin. */
    public static PluginRegistry builtIn() {
        PluginRegistry r = new PluginRegistry();
        BuiltInPlugins.registerAll(r);
        return r;
    }

    public PluginRegistry register(String type, PluginKind kind, String summary, PluginFactory factory) {
        if (entries.containsKey(type) || aliases.containsKey(type)) {
            throw new IllegalArgumentException("plugin type registered twice: " + type);
        }
        entries.put(type, new Entry(type, kind, factory, summary));
        planned.remove(type);
        return this;
    }

    /** Registers a plugin that needs no environment (most do not). */
    public PluginRegistry register(String type, PluginKind kind, String summary, PluginFactory.FromParameters factory) {
        return register(type, kind, summary, (name, params, environment) -> factory.create(name, params));
    }

    /** An old type name that now means {@code currentType}. */
    public PluginRegistry alias(String oldType, String currentType) {
        aliases.put(oldType, currentType);
        return this;
    }

    /** A type that exists in llm-d and will exist in Jetway, but not yet. */
    public PluginRegistry planned(String type, PluginKind kind, String why) {
        if (!entries.containsKey(type)) {
            planned.put(type, new Planned(type, kind, why));
        }
        return this;
    }

    /** The entry for a type or one of its old names. */
    public Optional<Entry> find(String type) {
        Entry e = entries.get(type);
        if (e == null && aliases.containsKey(type)) {
            e = entries.get(aliases.get(type));
        }
        return Optional.ofNullable(e);
    }

    public Optional<Planned> findPlanned(String type) {
        return Optional.ofNullable(planned.get(type));
    }

    /** The current name of a possibly renamed type. */
    public String canonical(String type) {
        return aliases.getOrDefault(type, type);
    }

    /** Built types, sorted. */
    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    public Map<String, String> aliases() {
        return Map.copyOf(aliases);
    }

    public List<Planned> plannedTypes() {
        return List.copyOf(planned.values());
    }
}
