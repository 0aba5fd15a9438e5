package dev.jetway.scheduler.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.flow.FairnessPolicy;
import dev.jetway.scheduler.flow.FcfsOrdering;
import dev.jetway.scheduler.flow.FlowControlConfig;
import dev.jetway.scheduler.flow.GlobalStrictFairness;
import dev.jetway.scheduler.flow.OrderingPolicy;
import dev.jetway.scheduler.flow.PriorityBand;
import dev.jetway.scheduler.flow.SaturationDetector;
import dev.jetway.scheduler.flow.StaticUsageLimit;
import dev.jetway.scheduler.flow.StrictBandSelection;
import dev.jetway.scheduler.flow.UsageLimitPolicy;
import dev.jetway.scheduler.flow.UtilizationDetector;
import dev.jetway.scheduler.spi.Plugin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads llm-d's {@code flowControl} section (and the deprecated top-level {@code saturationDetector}) into a
 * {@link FlowControlConfig}: validates every field, fills llm-d's defaults, and resolves each policy reference to a
 * plugin the config declares, or, when the reference is omitted or names a built-in type nobody declared, to an
 * instance of that type with its defaults. Problems name the field.
 */
final class FlowControlSection {

    static final String SECTION = "flowControl";
    private static final Set<String> FIELDS = Set.of("maxBytes", "maxRequests", "defaultRequestTTL",
            "noEndpointRequestTTL", "defaultPriorityBand", "defaultNegativePriorityBand", "priorityBands",
            "usageLimitPolicyPluginRef", "saturationDetector", "enableEviction", "bandSelectionPolicyPluginRef");
    private static final Set<String> BAND_FIELDS = Set.of("priority", "maxBytes", "maxRequests", "fairnessPolicyRef",
            "orderingPolicyRef", "defaultRequestTTL");
    private static final String TOP_LEVEL_DETECTOR = "saturationDetector (top level)";

    private final EndpointPickerConfig config;
    private final Map<String, Plugin> plugins;
    private final PluginRegistry registry;
    private final SchedulerEnvironment environment;
    private final List<String> problems;
    private final Map<String, Plugin> injected = new HashMap<>();

    private FlowControlSection(EndpointPickerConfig config, Map<String, Plugin> plugins, PluginRegistry registry,
                               SchedulerEnvironment environment, List<String> problems) {
        this.config = config;
        this.plugins = plugins;
        this.registry = registry;
        this.environment = environment;
        this.problems = problems;
    }

    /**
     * @param plugins  the instantiated plugins by name (not modified: defaults are instantiated on the side)
     * @param problems where to add what is wrong
     * @param warnings where to add what is accepted but not acted on
     */
    static FlowControlConfig read(EndpointPickerConfig config, Map<String, Plugin> plugins, PluginRegistry registry,
                                  SchedulerEnvironment environment, List<String> problems,
                                  List<ConfigWarning> warnings) {
        return new FlowControlSection(config, plugins, registry, environment, problems).read(warnings);
    }

    private FlowControlConfig read(List<ConfigWarning> warnings) {
        boolean enabled = config.featureGate(FlowControlConfig.FEATURE_GATE);
        JsonNode fc = config.other().get(SECTION);
        if (fc != null && !fc.isNull() && !fc.isObject()) {
            problems.add(SECTION + " must be a mapping");
            fc = null;
        }
        if (fc == null || fc.isNull()) {
            fc = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        } else if (!enabled) {
            warnings.add(ConfigWarning.ignored("top level", SECTION + fieldList(fc), "llm-d.ai/v1alpha1, v1",
                    "the " + FlowControlConfig.FEATURE_GATE + " feature gate is off, so it is checked but not used "
                            + "(as in llm-d); add featureGates: [" + FlowControlConfig.FEATURE_GATE + "]"));
        }
        unknownFields(fc, FIELDS, SECTION);
        long maxBytes = quantity(fc, "maxBytes", 0, SECTION);
        long maxRequests = quantity(fc, "maxRequests", 0, SECTION);
        Duration ttl = duration(fc, "defaultRequestTTL", FlowControlConfig.DEFAULT_REQUEST_TTL, SECTION);
        Duration noEndpointTtl = duration(fc, "noEndpointRequestTTL", ttl, SECTION);
        PriorityBand defaultBand = band(fc.get("defaultPriorityBand"), SECTION + ".defaultPriorityBand", null, ttl);
        PriorityBand negative = fc.hasNonNull("defaultNegativePriorityBand")
                ? band(fc.get("defaultNegativePriorityBand"), SECTION + ".defaultNegativePriorityBand", null, ttl)
                : null;
        List<PriorityBand> bands = new ArrayList<>();
        JsonNode list = fc.get("priorityBands");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                problems.add(SECTION + ".priorityBands must be a list");
            } else {
                Set<Integer> seen = new HashSet<>();
                int i = 0;
                for (JsonNode b : list) {
                    String where = SECTION + ".priorityBands[" + i++ + "]";
                    Integer priority = priority(b, where);
                    if (priority != null && !seen.add(priority)) {
                        problems.add(where + ": priority " + priority + " is listed twice");
                        continue;
                    }
                    PriorityBand band = band(b, where, priority, ttl);
                    if (band != null && priority != null) {
                        bands.add(band);
                    }
                }
            }
        }
        UsageLimitPolicy usage = resolve(text(fc, "usageLimitPolicyPluginRef", SECTION), StaticUsageLimit.TYPE,
                UsageLimitPolicy.class, PluginKind.USAGE_LIMIT_POLICY, SECTION + ".usageLimitPolicyPluginRef");
        SaturationDetector detector = detector(fc);
        boolean eviction = bool(fc, "enableEviction", SECTION);
        Plugin bandSelection = bandSelection(text(fc, "bandSelectionPolicyPluginRef", SECTION));
        if (defaultBand == null || usage == null || detector == null || (negative == null
                && fc.hasNonNull("defaultNegativePriorityBand"))) {
            return null; // problems say why
        }
        try {
            return new FlowControlConfig(enabled, maxBytes, maxRequests, ttl, noEndpointTtl, defaultBand, negative,
                    bands, usage, detector, eviction, bandSelection);
        } catch (IllegalArgumentException e) {
            problems.add(SECTION + ": " + e.getMessage());
            return null;
        }
    }

    /** {@code flowControl.saturationDetector.pluginRef}, else the deprecated top-level form, else the default. */
    private SaturationDetector detector(JsonNode fc) {
        JsonNode sd = fc.get("saturationDetector");
        String where = SECTION + ".saturationDetector";
        String ref = null;
        if (sd != null && !sd.isNull()) {
            if (!sd.isObject()) {
                problems.add(where + " must be a mapping with pluginRef");
            } else {
                unknownFields(sd, Set.of("pluginRef"), where);
                ref = text(sd, "pluginRef", where);
            }
        }
        JsonNode old = config.other().get("saturationDetector");
        if (ref == null && old != null && old.isObject()) {
            if (old.hasNonNull("pluginRef")) {
                // llm-d.ai/v1alpha1: {pluginRef}; LegacyConfig recorded the move
                return resolve(text(old, "pluginRef", "saturationDetector"), UtilizationDetector.TYPE,
                        SaturationDetector.class, PluginKind.SATURATION_DETECTOR, "saturationDetector.pluginRef");
            }
            // GIE v1.x: the utilization detector's thresholds inline
            PluginParameters params = new PluginParameters(TOP_LEVEL_DETECTOR, UtilizationDetector.TYPE, old);
            try {
                UtilizationDetector d = UtilizationDetector.create(UtilizationDetector.TYPE, params);
                params.finish();
                return d;
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
                return null;
            }
        }
        return resolve(ref, UtilizationDetector.TYPE, SaturationDetector.class, PluginKind.SATURATION_DETECTOR,
                where + ".pluginRef");
    }

    private Plugin bandSelection(String ref) {
        if (ref == null) {
            return null;
        }
        Plugin p = plugins.get(ref);
        if (p == null && declared(ref)) {
            return null; // declared with a type Jetway does not build: skipped with a warning (PipelineBuilder)
        }
        return resolve(ref, StrictBandSelection.TYPE, StrictBandSelection.class, PluginKind.BAND_SELECTION_POLICY,
                SECTION + ".bandSelectionPolicyPluginRef");
    }

    private PriorityBand band(JsonNode b, String where, Integer priority, Duration globalTtl) {
        if (b == null || b.isNull()) {
            b = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        if (!b.isObject()) {
            problems.add(where + " must be a mapping");
            return null;
        }
        // a template's priority is accepted (llm-d's type has the field) and means nothing: it serves every
        // priority not listed
        unknownFields(b, BAND_FIELDS, where);
        long maxBytes = quantity(b, "maxBytes", 0, where);
        long maxRequests = quantity(b, "maxRequests", 0, where);
        Duration ttl = duration(b, "defaultRequestTTL", globalTtl, where);
        FairnessPolicy fairness = resolve(text(b, "fairnessPolicyRef", where), GlobalStrictFairness.TYPE,
                FairnessPolicy.class, PluginKind.FAIRNESS_POLICY, where + ".fairnessPolicyRef");
        OrderingPolicy ordering = resolve(text(b, "orderingPolicyRef", where), FcfsOrdering.TYPE,
                OrderingPolicy.class, PluginKind.ORDERING_POLICY, where + ".orderingPolicyRef");
        if (fairness == null || ordering == null) {
            return null;
        }
        // llm-d: 0 or omitted means the default; bands are always bounded
        return new PriorityBand(priority == null ? 0 : priority,
                maxBytes == 0 ? PriorityBand.DEFAULT_MAX_BYTES : maxBytes,
                maxRequests == 0 ? PriorityBand.DEFAULT_MAX_REQUESTS : maxRequests, fairness, ordering, ttl);
    }

    private Integer priority(JsonNode b, String where) {
        JsonNode p = b.get("priority");
        if (p == null || p.isNull()) {
            problems.add(where + ": priority is missing");
            return null;
        }
        if (!p.isIntegralNumber() || !p.canConvertToInt()) {
            problems.add(where + ".priority must be a whole number, got '" + p.asText() + "'");
            return null;
        }
        return p.asInt();
    }

    /**
     * The plugin a reference names: a declared plugin, else (for an omitted reference, or one that names a built-in
     * type of the right kind nobody declared) a fresh instance of that type.
     */
    private <T> T resolve(String ref, String defaultType, Class<T> kind, PluginKind kindName, String where) {
        String name = ref == null ? defaultType : ref;
        Plugin p = plugins.get(name);
        if (p == null && !declared(name)) {
            p = injected.computeIfAbsent(name, this::instantiate);
        }
        if (p == null && declared(name)) {
            String type = config.plugins().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow()
                    .type();
            if (LegacyConfig.GATEWAY_SIDE_TYPES.contains(type)) {
                problems.add(where + ": '" + name + "' is a request parser (" + type + "), not "
                        + article(kindName.label()));
            }
            return null; // otherwise it could not be built, and the builder reported why
        }
        if (p == null) {
            problems.add(where + ": pluginRef '" + name + "' names no plugin" + (plugins.isEmpty() ? ""
                    : " (plugins: " + String.join(", ", plugins.keySet()) + ")"));
            return null;
        }
        if (!kind.isInstance(p)) {
            String actual = registry.find(p.type()).map(e -> e.kind().label()).orElse(p.type());
            problems.add(where + ": '" + name + "' is " + article(actual) + " (" + p.type() + "), not "
                    + article(kindName.label()));
            return null;
        }
        return kind.cast(p);
    }

    private boolean declared(String name) {
        return config.plugins().stream().anyMatch(s -> s.name().equals(name));
    }

    private Plugin instantiate(String type) {
        var entry = registry.find(type);
        if (entry.isEmpty()) {
            return null;
        }
        try {
            return entry.get().factory().create(type, PluginParameters.none(type), environment);
        } catch (IllegalArgumentException e) {
            problems.add("plugin '" + type + "': " + e.getMessage());
            return null;
        }
    }

    private static String article(String noun) {
        return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }

    private long quantity(JsonNode node, String field, long defaultValue, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isValueNode()) {
            problems.add(where + "." + field + " must be a quantity like 1000, 1k, 500M or 1Gi");
            return defaultValue;
        }
        try {
            long q = Quantity.parse(v.asText());
            if (q < 0) {
                problems.add(where + "." + field + " must not be negative, got " + v.asText());
                return defaultValue;
            }
            return q;
        } catch (IllegalArgumentException e) {
            problems.add(where + "." + field + ": " + e.getMessage());
            return defaultValue;
        }
    }

    private Duration duration(JsonNode node, String field, Duration defaultValue, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        Duration d = v.isNumber() ? Duration.ofNanos(Math.round(v.asDouble() * 1e9))
                : v.isTextual() ? PluginParameters.parseGoDuration(v.asText()) : null;
        if (d == null || d.isNegative()) {
            problems.add(where + "." + field + " must be a duration like 30s, 500ms or 2m (0s = no limit), got '"
                    + v.asText() + "'");
            return defaultValue;
        }
        return d;
    }

    private String text(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isEmpty()) {
            problems.add(where + "." + field + " must be a plugin name");
            return null;
        }
        return v.asText();
    }

    private boolean bool(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            problems.add(where + "." + field + " must be true or false, got '" + v.asText() + "'");
            return false;
        }
        return v.asBoolean();
    }

    private void unknownFields(JsonNode node, Set<String> known, String where) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                problems.add(where + ": unknown field '" + f + "' (known: " + String.join(", ",
                        known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String fieldList(JsonNode node) {
        List<String> fields = new ArrayList<>();
        node.fieldNames().forEachRemaining(fields::add);
        return fields.isEmpty() ? "" : " {" + String.join(", ", fields) + "}";
    }
}
