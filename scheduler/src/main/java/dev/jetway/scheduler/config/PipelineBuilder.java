package dev.jetway.scheduler.config;

import dev.jetway.scheduler.RequestHandling;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.SchedulingProfile;
import dev.jetway.scheduler.WeightedScorer;
import dev.jetway.scheduler.flow.FlowControlConfig;
import dev.jetway.scheduler.flow.SaturationDetector;
import dev.jetway.scheduler.flow.StandIn;
import dev.jetway.scheduler.plugins.datalayer.DataLayerPlugin;
import dev.jetway.scheduler.plugins.picker.MaxScorePicker;
import dev.jetway.scheduler.plugins.producer.ApproxPrefixCacheProducer;
import dev.jetway.scheduler.plugins.producer.PredictedLatencyProducer;
import dev.jetway.scheduler.plugins.producer.TokenProducer;
import dev.jetway.scheduler.plugins.pd.AlwaysDisaggPdDecider;
import dev.jetway.scheduler.plugins.pd.DisaggProfileHandler;
import dev.jetway.scheduler.plugins.profile.SingleProfileHandler;
import dev.jetway.scheduler.spi.PdDecider;
import dev.jetway.scheduler.spi.Admitter;
import dev.jetway.scheduler.spi.DataProducer;
import dev.jetway.scheduler.spi.Filter;
import dev.jetway.scheduler.spi.LatencyPredictionReader;
import dev.jetway.scheduler.spi.Picker;
import dev.jetway.scheduler.spi.Plugin;
import dev.jetway.scheduler.spi.PrefixMatchReader;
import dev.jetway.scheduler.spi.ProfileHandler;
import dev.jetway.scheduler.spi.PromptTokensReader;
import dev.jetway.scheduler.spi.Scorer;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns an {@link EndpointPickerConfig} into a {@link Scheduler}, applying llm-d's defaulting rules:
 * <ul>
 *   <li>no {@code schedulingProfiles} → one profile {@code default} with every filter, scorer and picker listed;</li>
 *   <li>one profile and no profile handler → {@code single-profile-handler};</li>
 *   <li>a profile without a picker → {@code max-score-picker} ({@code maxNumOfEndpoints} 1); two pickers → error;</li>
 *   <li>a consumer of prefix matches without its producer → {@code approx-prefix-cache-producer}; a consumer of
 *       tokens without a producer → {@code token-producer} (estimate backend);</li>
 *   <li>{@code metrics-data-source} + {@code core-metrics-extractor} unless {@code dataLayer.injectDefaults: false}.</li>
 * </ul>
 * The {@code flowControl} section's policies (ordering, fairness, usage limit, saturation detector, band selection,
 * eviction) are plugins of the same config, built here with the same registry, problems and warnings, but never put
 * in a profile's pipeline (a detector listed in a profile explicitly acts as its filter, as in llm-d); the resolved
 * section is {@link Scheduler#flowControl()}.
 *
 * <p>All problems are collected and reported together. Old type names and plugins Jetway does not run outside the
 * scheduling pipeline (request parsers, wired from {@code requestHandler}, listed in no profile) add
 * {@link ConfigWarning}s to the config's own, available as {@link Scheduler#warnings()}.
 */
public final class PipelineBuilder {

    private final EndpointPickerConfig config;
    private final SchedulerEnvironment environment;
    private final PluginRegistry registry;
    private final List<String> problems = new ArrayList<>();
    private final Map<String, Plugin> plugins = new LinkedHashMap<>();
    private final Set<String> injected = new HashSet<>();
    private final List<ConfigWarning> warnings = new ArrayList<>();

    private PipelineBuilder(EndpointPickerConfig config, SchedulerEnvironment environment, PluginRegistry registry) {
        this.config = config;
        this.environment = environment;
        this.registry = registry;
    }

    /** Builds with the built-in plugin registry. */
    public static Scheduler build(EndpointPickerConfig config, SchedulerEnvironment environment) {
        return build(config, environment, PluginRegistry.builtIn());
    }

    public static Scheduler build(EndpointPickerConfig config, SchedulerEnvironment environment,
                                  PluginRegistry registry) {
        return new PipelineBuilder(config, environment, registry).build();
    }

    private Scheduler build() {
        warnings.addAll(config.warnings());
        Map<String, String> sideWired = LegacyConfig.sideWiredRefs(config);
        Set<String> inProfiles = new HashSet<>();
        config.schedulingProfiles().forEach(p -> p.plugins().forEach(r -> inProfiles.add(r.pluginRef())));
        for (PluginSpec spec : config.plugins()) {
            if (!inProfiles.contains(spec.name()) && notRunHere(spec, sideWired.get(spec.name()))) {
                continue;
            }
            instantiate(spec);
            if (plugins.get(spec.name()) instanceof DataLayerPlugin) {
                warnings.add(ConfigWarning.ignored(LegacyConfig.subject(spec.name(), spec.type()), "type: "
                        + spec.type(), "llm-d data layer", "the gateway does not read data-layer plugins; in "
                        + "jetway.yaml, " + DataLayerPlugin.jetwayKeys(spec.type()) + " do this"));
            }
        }
        injectProducers();
        injectDataLayer();
        checkDataLayerRefs();
        List<SchedulingProfile> profiles = buildProfiles();
        ProfileHandler handler = profileHandler(profiles);
        FlowControlConfig flowControl = FlowControlSection.read(config, plugins, registry, environment, problems,
                warnings);
        if (flowControl == null && problems.isEmpty()) {
            problems.add("flowControl could not be resolved");
        }
        RequestHandling requestHandling = requestHandling();
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.stream().map(p -> config.source() + ": " + p).toList());
        }
        List<Plugin> all = new ArrayList<>(plugins.values());
        if (!all.contains(handler)) {
            all.add(handler);
        }
        for (SchedulingProfile p : profiles) {
            if (!all.contains(p.picker())) {
                all.add(p.picker());
            }
        }
        return new Scheduler(handler, profiles, all, environment,
                describe(handler, profiles, flowControl, requestHandling), warnings, flowControl, requestHandling);
    }

    /** {@code requestHandler.propagatePriority} (a boolean; its parsers are Jetway's own, see LegacyConfig). */
    private RequestHandling requestHandling() {
        JsonNode rh = config.other().get("requestHandler");
        if (rh == null || rh.isNull()) {
            return RequestHandling.DEFAULT;
        }
        if (!rh.isObject()) {
            problems.add("requestHandler must be a mapping, got " + rh.getNodeType().name().toLowerCase(
                    java.util.Locale.ROOT));
            return RequestHandling.DEFAULT;
        }
        JsonNode propagate = rh.get("propagatePriority");
        if (propagate == null || propagate.isNull()) {
            return RequestHandling.DEFAULT;
        }
        if (!propagate.isBoolean()) {
            problems.add("requestHandler.propagatePriority must be true or false, got " + propagate);
            return RequestHandling.DEFAULT;
        }
        return new RequestHandling(propagate.booleanValue());
    }

    /**
     * A plugin of the EPP's request handling (a parser), or a plugin of a type Jetway does not build that only
     * {@code requestHandler}, the band selection of {@code flowControl}, or the data layer's peer discovery and
     * cross-replica sync reference: Jetway's scheduler does not run it, so it is skipped with a warning. (Other
     * {@code flowControl} references must name plugins Jetway builds.)
     */
    private boolean notRunHere(PluginSpec spec, String wiredFrom) {
        String folded = LegacyConfig.FOLDED_PD_TYPES.get(spec.type());
        if (folded != null) {
            warnings.add(ConfigWarning.ignored(LegacyConfig.subject(spec.name(), spec.type()), "type: " + spec.type(),
                    folded, "not instantiated: folded into disagg-profile-handler; the gateway sets the P/D headers "
                            + "(x-prefiller-host-port) from its decision"));
            return true;
        }
        boolean gatewaySide = LegacyConfig.GATEWAY_SIDE_TYPES.contains(spec.type());
        boolean flowPolicy = wiredFrom != null && (wiredFrom.startsWith("flowControl")
                || wiredFrom.equals("saturationDetector")) && !wiredFrom.equals(LegacyConfig.BAND_SELECTION_REF);
        if (!gatewaySide && (wiredFrom == null || flowPolicy || registry.find(spec.type()).isPresent())) {
            return false;
        }
        String why = wiredFrom == null ? "request parsing plugins are not built in Jetway"
                : wiredFrom.equals(LegacyConfig.BAND_SELECTION_REF) ? "referenced from " + wiredFrom
                + "; Jetway always offers bands the chance to dispatch in strict priority order "
                + "(strict-band-selection-policy)"
                : "referenced from " + wiredFrom + ", which Jetway does not act on yet";
        String release = wiredFrom != null && wiredFrom.startsWith("dataLayer") ? "llm-d.ai/v1alpha1, v1 (data layer)"
                : "llm-d EPP (flow control / request handling)";
        warnings.add(ConfigWarning.ignored(LegacyConfig.subject(spec.name(), spec.type()), "type: " + spec.type(),
                release, "not instantiated: " + why));
        return true;
    }

    private void instantiate(PluginSpec spec) {
        if (plugins.containsKey(spec.name())) {
            problems.add("two plugins are named '" + spec.name() + "'; give one of them a different name");
            return;
        }
        var entry = registry.find(spec.type());
        if (entry.isEmpty()) {
            var planned = registry.findPlanned(registry.canonical(spec.type()));
            var historical = LegacyConfig.notBuilt(spec.type());
            if (planned.isPresent()) {
                problems.add("plugin '" + spec.name() + "': type '" + spec.type() + "' (" + planned.get().kind().label()
                        + ") is not built yet in Jetway: " + planned.get().why());
            } else if (historical.isPresent()) {
                problems.add("plugin '" + spec.name() + "': type '" + spec.type() + "' (" + historical.get().release()
                        + ") is not built yet in Jetway: " + historical.get().why());
            } else {
                List<String> known = new ArrayList<>(registry.entries().stream().map(PluginRegistry.Entry::type)
                        .toList());
                known.addAll(registry.aliases().keySet());
                problems.add("plugin '" + spec.name() + "': unknown plugin type '" + spec.type() + "'"
                        + Suggestion.closest(spec.type(), known).map(s -> "; did you mean '" + s + "'?")
                        .orElse("; `jetway config plugins` lists every type"));
            }
            return;
        }
        String current = registry.canonical(spec.type());
        if (!current.equals(spec.type())) {
            warnings.add(ConfigWarning.mapped(LegacyConfig.subject(spec.name(), spec.type()), "type: " + spec.type(),
                    LegacyConfig.aliasRelease(spec.type()).orElse("an earlier llm-d release"), "type: " + current));
        }
        PluginParameters params = new PluginParameters(spec.name(), spec.type(), spec.parameters());
        try {
            Plugin p = entry.get().factory().create(spec.name(), params, environment);
            params.finish();
            plugins.put(spec.name(), p);
            if (p instanceof StandIn s && s.instead() != null) {
                warnings.add(ConfigWarning.mapped(LegacyConfig.subject(spec.name(), spec.type()), "type: "
                        + spec.type(), "llm-d-router flow control", s.instead(), s.why()));
            }
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        } catch (IllegalArgumentException e) {
            problems.add("plugin '" + spec.name() + "' (" + spec.type() + "): " + e.getMessage());
        }
    }

    private void inject(String type) {
        if (plugins.containsKey(type)) {
            return;
        }
        instantiate(new PluginSpec(type, type, null));
        injected.add(type);
    }

    private void injectProducers() {
        for (Plugin p : List.copyOf(plugins.values())) {
            if (p instanceof LatencyPredictionReader reader && reader.latencyPredictionProducerName() != null) {
                String producer = reader.latencyPredictionProducerName();
                Plugin existing = plugins.get(producer);
                if (existing == null && producer.equals(PredictedLatencyProducer.TYPE)) {
                    inject(PredictedLatencyProducer.TYPE);
                } else if (existing == null) {
                    problems.add("plugin '" + p.name() + "' reads latency predictions from '" + producer
                            + "', which is not configured");
                } else if (!(existing instanceof PredictedLatencyProducer)) {
                    problems.add("plugin '" + p.name() + "' reads latency predictions from '" + producer
                            + "', which is a " + existing.type() + ", not a predicted-latency-producer");
                }
            }
        }
        for (Plugin p : List.copyOf(plugins.values())) {
            if (p instanceof PrefixMatchReader reader) {
                String producer = reader.prefixMatchProducerName();
                Plugin existing = plugins.get(producer);
                if (existing == null && producer.equals(ApproxPrefixCacheProducer.TYPE)) {
                    inject(ApproxPrefixCacheProducer.TYPE);
                } else if (existing == null) {
                    problems.add("plugin '" + p.name() + "' reads prefix matches from '" + producer
                            + "', which is not configured");
                } else if (!(existing instanceof DataProducer)) {
                    problems.add("plugin '" + p.name() + "' reads prefix matches from '" + producer
                            + "', which is a " + existing.type() + ", not a prefix-cache producer");
                }
            }
        }
        boolean needsTokens = plugins.values().stream().anyMatch(p -> p instanceof PromptTokensReader);
        boolean hasTokens = plugins.values().stream().anyMatch(p -> p instanceof TokenProducer);
        if (needsTokens && !hasTokens) {
            inject(TokenProducer.TYPE);
        }
    }

    private void injectDataLayer() {
        JsonNode inject = config.dataLayer().get("injectDefaults");
        if (inject != null && !inject.isBoolean()) {
            problems.add("dataLayer.injectDefaults must be true or false");
            return;
        }
        if (inject == null || inject.asBoolean()) {
            inject(DataLayerPlugin.METRICS_DATA_SOURCE);
            inject(DataLayerPlugin.CORE_METRICS_EXTRACTOR);
        }
    }

    private void checkDataLayerRefs() {
        JsonNode sources = config.dataLayer().path("sources");
        for (JsonNode s : sources) {
            checkRef("dataLayer.sources", s.path("pluginRef").asText(null));
            for (JsonNode e : s.path("extractors")) {
                checkRef("dataLayer.sources.extractors", e.path("pluginRef").asText(null));
            }
        }
        // llm-d.ai/v1 shape; LegacyConfig moved the v1alpha1 discovery.pluginRef and peerDiscovery here
        for (String f : List.of("endpoints", "peers")) {
            JsonNode d = config.dataLayer().path("discovery").get(f);
            if (d != null) {
                checkRef("dataLayer.discovery." + f, d.path("pluginRef").asText(null));
            }
        }
        JsonNode syncer = config.dataLayer().path("crossReplica").get("syncerPluginRef");
        if (syncer != null) {
            checkRef("dataLayer.crossReplica.syncerPluginRef", syncer.asText(null));
        }
    }

    private void checkRef(String where, String ref) {
        if (ref == null) {
            problems.add(where + ": an entry has no pluginRef");
        } else if (!plugins.containsKey(ref) && !skipped(ref)) {
            problems.add(where + ": pluginRef '" + ref + "' names no plugin");
        }
    }

    /** True when a plugin of that name was declared but not instantiated (see {@link #notRunHere}). */
    private boolean skipped(String name) {
        return declared(name);
    }

    /**
     * True when the config declares a plugin of that name: if it is missing from the pipeline it was skipped or
     * failed to build, and that was reported where it is declared.
     */
    private boolean declared(String name) {
        return config.plugins().stream().anyMatch(p -> p.name().equals(name));
    }

    /** " (did you mean 'x'?)" or " (plugins: a, b, ...)" for a reference to a name nothing declares. */
    private String refHint(String ref) {
        if (plugins.isEmpty()) {
            return "";
        }
        return Suggestion.closest(ref, plugins.keySet()).map(s -> " (did you mean '" + s + "'?)")
                .orElse(" (plugins: " + String.join(", ", plugins.keySet()) + ")");
    }

    private List<SchedulingProfile> buildProfiles() {
        List<ProfileSpec> specs = config.schedulingProfiles();
        if (specs.isEmpty()) {
            List<ProfileSpec.PluginRef> refs = new ArrayList<>();
            for (Plugin p : plugins.values()) {
                // flow control's detectors are filters too, but they act from flowControl unless a profile lists them
                if ((p instanceof Filter || p instanceof Scorer || p instanceof Picker) && !flowControlPlugin(p)) {
                    refs.add(new ProfileSpec.PluginRef(p.name(), null));
                }
            }
            specs = List.of(new ProfileSpec("default", refs));
        }
        List<SchedulingProfile> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (ProfileSpec spec : specs) {
            if (!names.add(spec.name())) {
                problems.add("two scheduling profiles are named '" + spec.name() + "'");
                continue;
            }
            List<Filter> filters = new ArrayList<>();
            List<WeightedScorer> scorers = new ArrayList<>();
            Picker picker = null;
            for (ProfileSpec.PluginRef ref : spec.plugins()) {
                Plugin p = plugins.get(ref.pluginRef());
                String where = "profile '" + spec.name() + "': ";
                if (p == null) {
                    if (!declared(ref.pluginRef())) { // a declared plugin that could not be built is reported once
                        problems.add(where + "pluginRef '" + ref.pluginRef() + "' names no plugin" + refHint(
                                ref.pluginRef()));
                    }
                    continue;
                }
                if (flowControlPlugin(p) && !(p instanceof SaturationDetector)) {
                    warnings.add(ConfigWarning.ignored("profile '" + spec.name() + "'", "pluginRef: "
                            + ref.pluginRef(), "llm-d EndpointPickerConfig", "'" + ref.pluginRef() + "' is a "
                            + kindLabel(p) + ": it acts from the flowControl section, not in a profile"));
                    continue;
                }
                if (ref.weight() != null && !(p instanceof Scorer)) {
                    problems.add(where + "'" + ref.pluginRef() + "' is a " + p.type() + ", not a scorer: it takes no weight");
                }
                switch (p) {
                    case Filter f -> filters.add(f);
                    case Scorer s -> scorers.add(new WeightedScorer(s,
                            ref.weight() == null ? WeightedScorer.DEFAULT_WEIGHT : ref.weight()));
                    case Picker pk -> {
                        if (picker != null) {
                            problems.add(where + "has two pickers, '" + picker.name() + "' and '" + pk.name() + "'");
                        }
                        picker = pk;
                    }
                    case ProfileHandler h ->
                            problems.add(where + "'" + h.name() + "' is a profile handler; it belongs in plugins only");
                    default -> {
                        // Producers and data-layer plugins may be listed in a profile (llm-d's predicted-latency
                        // example does); they run once per request regardless.
                    }
                }
            }
            if (picker == null) {
                picker = new MaxScorePicker(MaxScorePicker.TYPE, 1, environment);
                injected.add("picker of " + spec.name());
            }
            out.add(new SchedulingProfile(spec.name(), filters, scorers, picker));
        }
        return out;
    }

    private boolean flowControlPlugin(Plugin p) {
        return registry.find(p.type()).map(e -> e.kind().flowControl()).orElse(false);
    }

    private String kindLabel(Plugin p) {
        return registry.find(p.type()).map(e -> e.kind().label()).orElse(p.type());
    }

    private ProfileHandler profileHandler(List<SchedulingProfile> profiles) {
        List<ProfileHandler> handlers = plugins.values().stream()
                .filter(p -> p instanceof ProfileHandler).map(p -> (ProfileHandler) p).toList();
        if (handlers.size() > 1) {
            problems.add("only one profile handler is allowed, found " + String.join(", ",
                    handlers.stream().map(Plugin::name).toList()));
            return handlers.getFirst();
        }
        if (handlers.size() == 1) {
            ProfileHandler h = handlers.getFirst();
            if (h instanceof DisaggProfileHandler d) {
                return bindDisagg(d, profiles);
            }
            if (h instanceof SingleProfileHandler && profiles.size() > 1) {
                problems.add("single-profile-handler runs one profile, but " + profiles.size()
                        + " are configured");
            }
            return h;
        }
        if (profiles.size() > 1) {
            problems.add(profiles.size() + " scheduling profiles need a profile handler that chooses among them "
                    + "(single-profile-handler, or disagg-profile-handler for P/D)");
        }
        injected.add(SingleProfileHandler.TYPE);
        return new SingleProfileHandler(SingleProfileHandler.TYPE);
    }

    /**
     * Resolves the P/D handler's decider and checks its profiles exist. Without a decider every request is split
     * (llm-d's handler runs prefill whenever no decider says otherwise); the warning says so.
     */
    private ProfileHandler bindDisagg(DisaggProfileHandler d, List<SchedulingProfile> profiles) {
        List<String> names = profiles.stream().map(SchedulingProfile::name).toList();
        for (String profile : List.of(d.decodeProfile(), d.prefillProfile())) {
            if (!names.contains(profile)) {
                problems.add("plugin '" + d.name() + "' (" + d.type() + ") runs a scheduling profile named '" + profile
                        + "', which is not configured (profiles: " + String.join(", ", names) + ")");
            }
        }
        if (d.prefillProfile().equals(d.decodeProfile())) {
            problems.add("plugin '" + d.name() + "' (" + d.type() + "): the prefill and decode profiles must differ");
        }
        DisaggProfileHandler bound = d;
        if (d.deciderName() != null) {
            Plugin decider = plugins.get(d.deciderName());
            if (decider == null && declared(d.deciderName())) {
                return d; // the decider could not be built: reported where it is declared
            } else if (decider == null) {
                problems.add("plugin '" + d.name() + "' (" + d.type() + "): deciders.prefill '" + d.deciderName()
                        + "' names no plugin");
            } else if (!(decider instanceof PdDecider pd)) {
                problems.add("plugin '" + d.name() + "' (" + d.type() + "): deciders.prefill '" + d.deciderName()
                        + "' is a " + decider.type() + ", not a P/D decider");
            } else {
                bound = d.withDecider(pd);
            }
        } else if (d.decider() == null) {
            bound = d.withDecider(new AlwaysDisaggPdDecider(AlwaysDisaggPdDecider.TYPE));
            warnings.add(ConfigWarning.mapped(LegacyConfig.subject(d.name(), d.type()), "no deciders.prefill",
                    "llm-d", "every request is split (as always-disagg-pd-decider)",
                    "name a decider, e.g. prefix-based-pd-decider, to split only long uncached prompts"));
        }
        plugins.replace(d.name(), bound);
        return bound;
    }

    private String describe(ProfileHandler handler, List<SchedulingProfile> profiles, FlowControlConfig flowControl,
                            RequestHandling requestHandling) {
        StringBuilder sb = new StringBuilder();
        sb.append("EndpointPickerConfig ").append(config.source()).append(" (apiVersion ").append(config.apiVersion())
                .append(config.deprecatedApiVersion()
                        ? ", deprecated: read as " + EndpointPickerConfig.API_VERSION : "")
                .append(")\n");
        sb.append("profile handler: ").append(line(handler, injected.contains(SingleProfileHandler.TYPE)
                && handler instanceof SingleProfileHandler && !plugins.containsValue(handler))).append('\n');
        if (handler instanceof DisaggProfileHandler d && d.decider() != null) {
            sb.append("P/D decider: ").append(line(d.decider(), !plugins.containsValue(d.decider()))).append('\n');
        }
        sb.append("data producers (once per request, in this order):");
        sb.append(plugins.values().stream().anyMatch(p -> p instanceof DataProducer) ? "\n" : " (none)\n");
        plugins.values().stream().filter(p -> p instanceof DataProducer)
                .sorted(java.util.Comparator.comparingInt(p -> ((DataProducer) p).stage()))
                .forEach(p -> sb.append("  ").append(line(p, injected.contains(p.name()))).append('\n'));
        if (plugins.values().stream().anyMatch(p -> p instanceof Admitter)) {
            sb.append("admitters (after the producers; a refusal answers the request):\n");
            plugins.values().stream().filter(p -> p instanceof Admitter)
                    .forEach(p -> sb.append("  ").append(line(p, injected.contains(p.name()))).append('\n'));
        }
        sb.append("data layer (llm-d's plugins, accepted but not read: jetway.yaml's dataLayer and pools keys "
                + "configure scraping and discovery):");
        sb.append(plugins.values().stream().anyMatch(p -> p instanceof DataLayerPlugin) ? "\n" : " (none)\n");
        plugins.values().stream().filter(p -> p instanceof DataLayerPlugin)
                .forEach(p -> sb.append("  ").append(line(p, injected.contains(p.name()))).append('\n'));
        for (SchedulingProfile p : profiles) {
            sb.append("profile ").append(p.name()).append(":\n");
            sb.append("  filters: ");
            sb.append(p.filters().isEmpty() ? "(none)" : String.join(", ", p.filters().stream()
                    .map(f -> line(f, false)).toList())).append('\n');
            sb.append("  scorers: ");
            sb.append(p.scorers().isEmpty() ? "(none)" : String.join(", ", p.scorers().stream()
                    .map(s -> line(s.scorer(), false) + " weight " + s.weight()).toList())).append('\n');
            sb.append("  picker: ").append(line(p.picker(), injected.contains("picker of " + p.name())))
                    .append('\n');
        }
        if (flowControl != null) {
            sb.append(flowControl.describe());
        }
        sb.append(requestHandling.describe());
        sb.append("feature gates: ").append(config.featureGates().isEmpty() ? "(none)"
                : String.join(", ", config.featureGates())).append('\n');
        return sb.toString();
    }

    private static String line(Plugin p, boolean wasInjected) {
        String name = p.name().equals(p.type()) ? p.type() : p.name() + " (" + p.type() + ")";
        String params = p.describeParameters();
        return name + (params.isEmpty() ? "" : " {" + params + "}") + (wasInjected ? " [default]" : "");
    }
}
