package dev.jetway.scheduler.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * llm-d's {@code EndpointPickerConfig} document, read into today's ({@code llm-d.ai/v1}) form; defaults are applied
 * when a {@link dev.jetway.scheduler.Scheduler} is built from it. Accepts {@code apiVersion} {@code llm-d.ai/v1}, and
 * the older {@code llm-d.ai/v1alpha1} and {@code inference.networking.x-k8s.io/v1alpha1}. Types, fields and
 * sections of earlier GIE and llm-d releases are rewritten to their current form (or dropped when Jetway has no
 * equivalent), each recorded in {@link #warnings()}; see docs/compatibility.md.
 *
 * @param apiVersion         as written
 * @param plugins            plugin instances with their parameters, in today's form
 * @param schedulingProfiles profiles (empty = llm-d's defaulting: one {@code default} profile)
 * @param featureGates       gate names as written ({@code name}, {@code name=true}, {@code name=false})
 * @param dataLayer          the {@code dataLayer} section in its v1 shape (GIE's {@code data} is read as it), raw
 *                           (null node if absent)
 * @param other              the other top-level sections, raw: {@code flowControl} and the deprecated
 *                           {@code saturationDetector} (resolved into {@code Scheduler.flowControl()} when the
 *                           pipeline is built), {@code requestHandler} (its {@code propagatePriority} resolved into
 *                           {@code Scheduler.requestHandling()}) and {@code parser} (not acted on)
 * @param source             where the document came from (file path, {@code builtin:NAME}, ...), for messages
 * @param warnings           every old or unsupported form found, with what it was read as
 */
public record EndpointPickerConfig(
        String apiVersion,
        List<PluginSpec> plugins,
        List<ProfileSpec> schedulingProfiles,
        List<String> featureGates,
        JsonNode dataLayer,
        Map<String, JsonNode> other,
        String source,
        List<ConfigWarning> warnings) {

    /** The current apiVersion (llm-d.ai/v1 graduated from v1alpha1 in llm-d v0.10). */
    public static final String API_VERSION = "llm-d.ai/v1";
    /** llm-d's apiVersion before v1: accepted, read as v1. */
    public static final String V1ALPHA1_API_VERSION = "llm-d.ai/v1alpha1";
    /** GIE's apiVersion: accepted, read as v1. */
    public static final String LEGACY_API_VERSION = "inference.networking.x-k8s.io/v1alpha1";
    /** Every apiVersion accepted, newest first. */
    public static final List<String> API_VERSIONS = List.of(API_VERSION, V1ALPHA1_API_VERSION, LEGACY_API_VERSION);
    public static final String KIND = "EndpointPickerConfig";

    /** Jetway's default config, used when none is given. */
    public static final String DEFAULT_RESOURCE = "/jetway-default-epp.yaml";

    /** Named built-in policies (what {@code --policies} and the demo accept), in display order. */
    public static final List<String> BUILT_IN_POLICIES = List.of(
            "jetway", "precise", "approximate", "load", "round-robin", "random", "sglang-cache-aware",
            "dynamo-kv-cost", "predicted-latency", "jetway-approximate", "jetway-precise", "jetway-pd", "pd");

    private static final Set<String> TOP_LEVEL = Set.of("apiVersion", "kind", "plugins", "schedulingProfiles",
            "featureGates", "dataLayer", "flowControl", "requestHandler", "saturationDetector", "parser", "data");
    private static final YAMLMapper YAML = new YAMLMapper();

    public EndpointPickerConfig {
        plugins = List.copyOf(plugins);
        schedulingProfiles = List.copyOf(schedulingProfiles);
        featureGates = List.copyOf(featureGates);
        dataLayer = dataLayer == null ? NullNode.getInstance() : dataLayer;
        other = Map.copyOf(other);
        warnings = List.copyOf(warnings);
    }

    /** A config without warnings (built by hand). */
    public EndpointPickerConfig(String apiVersion, List<PluginSpec> plugins, List<ProfileSpec> schedulingProfiles,
                                List<String> featureGates, JsonNode dataLayer, Map<String, JsonNode> other,
                                String source) {
        this(apiVersion, plugins, schedulingProfiles, featureGates, dataLayer, other, source, List.of());
    }

    /** True when the document's apiVersion is an older one, read as {@value #API_VERSION}. */
    public boolean deprecatedApiVersion() {
        return !API_VERSION.equals(apiVersion);
    }

    /** Reads a config file. */
    public static EndpointPickerConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    /** Parses YAML (or JSON) text; {@code source} names it in error messages. */
    public static EndpointPickerConfig parse(String yaml, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigException(source + ": empty document");
        }
        if (!root.isObject()) {
            throw new ConfigException(source + ": expected a mapping with apiVersion, kind, plugins, ...");
        }
        List<String> problems = new ArrayList<>();
        List<ConfigWarning> warnings = new ArrayList<>();
        String apiVersion = text(root, "apiVersion");
        if (apiVersion == null) {
            problems.add(source + ": apiVersion is missing (expected " + API_VERSION + ")");
        } else if (!API_VERSIONS.contains(apiVersion)) {
            problems.add(source + ": apiVersion '" + apiVersion + "' is not supported (expected one of "
                    + String.join(", ", API_VERSIONS) + ")");
        } else if (apiVersion.equals(V1ALPHA1_API_VERSION)) {
            warnings.add(ConfigWarning.mapped("apiVersion", apiVersion, "llm-d <= v0.9 (deprecated by llm-d.ai/v1)",
                    API_VERSION));
        } else if (apiVersion.equals(LEGACY_API_VERSION)) {
            warnings.add(ConfigWarning.mapped("apiVersion", apiVersion, "GIE v0.5-v1.5, early llm-d", API_VERSION));
        }
        String kind = text(root, "kind");
        if (!KIND.equals(kind)) {
            problems.add(source + ": kind must be " + KIND + (kind == null ? "" : ", got '" + kind + "'"));
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!TOP_LEVEL.contains(f)) {
                problems.add(source + ": unknown top-level field '" + f + "' (known: " + String.join(", ",
                        TOP_LEVEL.stream().sorted().toList()) + ")");
            }
        }
        LegacyConfig.upgradeDocument((com.fasterxml.jackson.databind.node.ObjectNode) root, warnings);
        List<PluginSpec> plugins = parsePlugins(root.path("plugins"), source, problems);
        List<ProfileSpec> profiles = parseProfiles(root.path("schedulingProfiles"), source, problems);
        LegacyConfig.Upgraded upgraded = LegacyConfig.upgradePlugins(plugins, profiles, source, warnings, problems);
        plugins = upgraded.plugins();
        profiles = upgraded.profiles();
        List<String> gates = new ArrayList<>();
        JsonNode fg = root.path("featureGates");
        if (fg.isArray()) {
            fg.forEach(g -> gates.add(g.asText()));
        } else if (!fg.isMissingNode() && !fg.isNull()) {
            problems.add(source + ": featureGates must be a list of gate names");
        }
        Map<String, JsonNode> other = new java.util.LinkedHashMap<>();
        for (String f : List.of("flowControl", "requestHandler", "saturationDetector", "parser")) {
            if (root.has(f)) {
                other.put(f, root.get(f));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new EndpointPickerConfig(apiVersion, plugins, profiles, gates, root.get("dataLayer"), other, source,
                warnings);
    }

    /** Jetway's default config ({@value #DEFAULT_RESOURCE}). */
    public static EndpointPickerConfig defaultConfig() {
        return resource(DEFAULT_RESOURCE, "builtin:jetway");
    }

    /** A named built-in policy (see {@link #BUILT_IN_POLICIES}); {@code jetway} without KV events. */
    public static EndpointPickerConfig builtIn(String policy) {
        return builtIn(policy, false);
    }

    /**
     * A named built-in policy. {@code jetway} is Jetway's latency routing with the best prefix source the host has:
     * {@code jetway-precise} when {@code kvEvents} (every endpoint publishes KV events and the host's tokens are the
     * engine's), {@code jetway-approximate} (the routing history) otherwise.
     */
    public static EndpointPickerConfig builtIn(String policy, boolean kvEvents) {
        if (policy.equals("jetway")) {
            return kvEvents ? resource("/dev/jetway/scheduler/policies/jetway-precise.yaml",
                    "builtin:jetway (KV events: jetway-precise)") : defaultConfig();
        }
        if (policy.equals("jetway-approximate")) {
            return resource(DEFAULT_RESOURCE, "builtin:jetway-approximate");
        }
        if (!BUILT_IN_POLICIES.contains(policy)) {
            throw new ConfigException("unknown policy '" + policy + "'; built-in policies: "
                    + String.join(", ", BUILT_IN_POLICIES));
        }
        return resource("/dev/jetway/scheduler/policies/" + policy + ".yaml", "builtin:" + policy);
    }

    /** A built-in policy name, or else a path to a config file. */
    public static EndpointPickerConfig policyOrFile(String policyOrPath) {
        return policyOrFile(policyOrPath, false);
    }

    /** A built-in policy name (see {@link #builtIn(String, boolean)}), or else a path to a config file. */
    public static EndpointPickerConfig policyOrFile(String policyOrPath, boolean kvEvents) {
        if (BUILT_IN_POLICIES.contains(policyOrPath)) {
            return builtIn(policyOrPath, kvEvents);
        }
        Path path = Path.of(policyOrPath);
        if (!java.nio.file.Files.exists(path) && !looksLikePath(policyOrPath)) {
            // a bare word that is no file: the user meant a policy name, so say which names exist
            throw new ConfigException("unknown policy '" + policyOrPath + "'; built-in policies: "
                    + String.join(", ", BUILT_IN_POLICIES) + "; or give an EndpointPickerConfig YAML file");
        }
        return load(path);
    }

    private static boolean looksLikePath(String text) {
        return text.contains("/") || text.contains(java.io.File.separator) || text.endsWith(".yaml")
                || text.endsWith(".yml");
    }

    /** The YAML text of a built-in policy, for {@code jetway config show} and docs. */
    public static String builtInText(String policy) {
        String path = policy.equals("jetway") ? DEFAULT_RESOURCE : "/dev/jetway/scheduler/policies/" + policy + ".yaml";
        if (!BUILT_IN_POLICIES.contains(policy)) {
            throw new ConfigException("unknown policy '" + policy + "'; built-in policies: "
                    + String.join(", ", BUILT_IN_POLICIES));
        }
        return readResource(path);
    }

    /**
     * Old type names of earlier GIE / llm-d releases that configs may still use, beyond the registry's aliases: old
     * name → what Jetway reads it as (docs/compatibility.md).
     */
    public static Map<String, String> historicalTypes() {
        return LegacyConfig.historicalTypes();
    }

    /** True if the feature gate is switched on ({@code name} or {@code name=true}). */
    public boolean featureGate(String name) {
        boolean on = false;
        for (String g : featureGates) {
            String trimmed = g.trim();
            if (trimmed.equals(name) || trimmed.equals(name + "=true")) {
                on = true;
            } else if (trimmed.equals(name + "=false")) {
                on = false;
            }
        }
        return on;
    }

    private static EndpointPickerConfig resource(String path, String source) {
        return parse(readResource(path), source);
    }

    private static String readResource(String path) {
        try (InputStream in = EndpointPickerConfig.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<PluginSpec> parsePlugins(JsonNode node, String source, List<String> problems) {
        List<PluginSpec> out = new ArrayList<>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            problems.add(source + ": plugins must be a list");
            return out;
        }
        int i = 0;
        for (JsonNode p : node) {
            String where = source + ": plugins[" + i++ + "]";
            if (!p.isObject()) {
                problems.add(where + " must be a mapping with type, name and parameters");
                continue;
            }
            String type = text(p, "type");
            if (type == null || type.isBlank()) {
                problems.add(where + ": type is missing");
                continue;
            }
            for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!Set.of("type", "name", "parameters").contains(f)) {
                    problems.add(where + " (" + type + "): unknown field '" + f + "' (known: type, name, parameters)");
                }
            }
            JsonNode params = p.get("parameters");
            if (params != null && !params.isNull() && !params.isObject()) {
                problems.add(where + " (" + type + "): parameters must be a mapping");
                continue;
            }
            out.add(new PluginSpec(text(p, "name"), type, params));
        }
        return out;
    }

    private static List<ProfileSpec> parseProfiles(JsonNode node, String source, List<String> problems) {
        List<ProfileSpec> out = new ArrayList<>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            problems.add(source + ": schedulingProfiles must be a list");
            return out;
        }
        int i = 0;
        for (JsonNode p : node) {
            String where = source + ": schedulingProfiles[" + i++ + "]";
            String name = text(p, "name");
            if (name == null || name.isBlank()) {
                problems.add(where + ": name is missing");
                continue;
            }
            List<ProfileSpec.PluginRef> refs = new ArrayList<>();
            JsonNode plugins = p.path("plugins");
            if (!plugins.isArray()) {
                problems.add(where + " (" + name + "): plugins must be a list of {pluginRef, weight}");
                continue;
            }
            for (JsonNode r : plugins) {
                String ref = text(r, "pluginRef");
                if (ref == null || ref.isBlank()) {
                    problems.add(where + " (" + name + "): an entry has no pluginRef");
                    continue;
                }
                Double weight = null;
                JsonNode w = r.get("weight");
                if (w != null && !w.isNull()) {
                    if (!w.isNumber()) {
                        problems.add(where + " (" + name + "): weight of '" + ref + "' must be a number, got '"
                                + w.asText() + "'");
                        continue;
                    }
                    weight = w.asDouble();
                    if (!Double.isFinite(weight) || weight < 0) {
                        problems.add(where + " (" + name + "): weight of '" + ref + "' must be >= 0, got " + weight);
                        continue;
                    }
                }
                refs.add(new ProfileSpec.PluginRef(ref, weight));
            }
            out.add(new ProfileSpec(name, refs));
        }
        return out;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
