package dev.jetway.scheduler.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How EndpointPickerConfigs of earlier GIE and llm-d releases are read: every renamed type, moved or retired field and
 * section is rewritten into today's form (or dropped), and each change is recorded as a {@link ConfigWarning}. Old
 * forms are never refused; a name no release ever had still fails where it always did (the plugin's own parameter
 * check, or the unknown-type check). Sources for every entry: docs/compatibility.md.
 */
final class LegacyConfig {

    private LegacyConfig() {
    }

    // Releases, as the warnings name them (docs/compatibility.md gives the source of each).
    static final String GIE_PRE_05 = "GIE main, mid-2025 (before v0.5)";
    static final String GIE_05 = "GIE v0.5";
    static final String GIE_HASH = "GIE v0.5-v1.0, llm-d <= v0.6";
    static final String GIE_CHARS = "GIE v1.1-v1.2";
    static final String SCORER_CARRIED = "GIE v0.5-v1.5, llm-d <= v0.8";
    static final String LLMD_02 = "llm-d v0.2";
    static final String LLMD_EARLY = "llm-d-inference-scheduler, mid-2025 (before llm-d v0.2)";
    static final String LLMD_03 = "llm-d v0.2-v0.3";

    static final String APPROX = "approx-prefix-cache-producer";
    static final String PRECISE_SCORER = "precise-prefix-cache-scorer";
    static final String PRECISE_PRODUCER = "precise-prefix-cache-producer";

    /** The plugins and profiles after the upgrade. */
    record Upgraded(List<PluginSpec> plugins, List<ProfileSpec> profiles) {
    }

    /** A type some release had that Jetway knows it cannot run, and why. */
    record NotBuilt(String release, String why) {
    }

    /** Old type names no release of Jetway's registry carries as aliases, with their current names. */
    private static final Map<String, String[]> RENAMED_TYPES = Map.of(
            "prefix-cache", new String[]{"prefix-cache-scorer", GIE_PRE_05},
            "max-score", new String[]{"max-score-picker", GIE_PRE_05},
            "single-profile", new String[]{"single-profile-handler", GIE_PRE_05},
            "low-queue", new String[]{"low-queue-filter", GIE_PRE_05},
            "by-labels", new String[]{"label-selector-filter", LLMD_EARLY},
            "kvcache-aware-scorer", new String[]{PRECISE_SCORER, LLMD_EARLY},
            "model-server-protocol-metrics", new String[]{"core-metrics-extractor", "GIE v1.x, llm-d v0.7-v0.8"});

    /** Releases of the old names {@link dev.jetway.scheduler.plugins.BuiltInPlugins} registers as aliases. */
    private static final Map<String, String> ALIAS_RELEASES = Map.of(
            "kv-cache-scorer", GIE_05,
            "by-label-selector", "llm-d-inference-scheduler v0.2-v0.6",
            "tokenizer", "llm-d-inference-scheduler, 2026 (before token-producer)",
            "pd-profile-handler", "llm-d v0.2-v0.6");

    /** GIE v0.5's filter chain, removed in GIE v1.0; only {@code low-queue-filter} has a Jetway equivalent. */
    private static final Map<String, String> RETIRED_FILTERS = Map.of(
            "decision-tree-filter", "use filters in sequence, or scorers",
            "least-queue-filter", "use queue-scorer",
            "least-kv-cache-filter", "use kv-cache-utilization-scorer",
            "lora-affinity-filter", "use lora-affinity-scorer");

    /** Historical types of features Jetway has not built. */
    private static final Map<String, NotBuilt> NOT_BUILT = Map.of();

    /**
     * llm-d's P/D header stampers, folded into {@code disagg-profile-handler}: in Jetway the gateway (or the sidecar
     * protocol it speaks) sets the P/D headers from the handler's decision, so these are skipped with a warning.
     */
    static final Map<String, String> FOLDED_PD_TYPES = Map.of(
            "prefill-header-handler", "llm-d v0.2-v0.6",
            "disagg-headers-handler", "llm-d v0.7-v0.8");

    /**
     * Request-handling plugin types: the llm-d EPP runs them before scheduling; Jetway's gateway parses requests
     * itself, so a config may declare them and they are skipped with a warning (unless a scheduling profile lists
     * them).
     */
    static final Set<String> GATEWAY_SIDE_TYPES = Set.of(
            "openai-parser", "anthropic-parser", "vllmhttp-parser", "vllmgrpc-parser", "passthrough-parser");

    /** Where {@link #sideWiredRefs} records the band selection policy's reference. */
    static final String BAND_SELECTION_REF = "flowControl.bandSelectionPolicyPluginRef";

    /**
     * Old type names read by this class rather than the registry: old name → "current type (release)", or for the
     * retired GIE v0.5 filters "dropped (use ...)".
     */
    static Map<String, String> historicalTypes() {
        Map<String, String> out = new java.util.TreeMap<>();
        RENAMED_TYPES.forEach((old, now) -> out.put(old, now[0] + " (" + now[1] + ")"));
        RETIRED_FILTERS.forEach((old, use) -> out.put(old, "dropped with a warning (" + GIE_05 + "; " + use + ")"));
        out.put("low-queue-filter", "utilization-filter (" + GIE_05 + ")");
        out.put("prefix-cache-scorer {mode: cache_tracking}", PRECISE_SCORER + " (" + LLMD_02 + ")");
        return out;
    }

    static Optional<String> aliasRelease(String oldType) {
        return Optional.ofNullable(ALIAS_RELEASES.get(oldType));
    }

    static Optional<NotBuilt> notBuilt(String type) {
        return Optional.ofNullable(NOT_BUILT.get(type));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Document level

    /**
     * Rewrites the top level in place into today's shape: {@code data} → {@code dataLayer}, the v1alpha1
     * {@code dataLayer} fields → their {@code llm-d.ai/v1} places; notes what Jetway does not act on.
     */
    static void upgradeDocument(ObjectNode root, List<ConfigWarning> w) {
        if (root.has("data")) {
            JsonNode data = root.remove("data");
            if (root.has("dataLayer")) {
                w.add(ConfigWarning.ignored("top level", "data", "GIE v1.x",
                        "dataLayer is also given and wins; remove data"));
            } else {
                root.set("dataLayer", data);
                w.add(ConfigWarning.mapped("top level", "data", "GIE v1.x", "dataLayer"));
            }
        }
        JsonNode sd = root.get("saturationDetector");
        if (sd != null && !sd.isNull()) {
            // llm-d: "if both are set, the new field is used"
            boolean newer = root.path("flowControl").path("saturationDetector").hasNonNull("pluginRef");
            String v1alpha1 = "llm-d.ai/v1alpha1 (deprecated, llm-d-router #1308)";
            List<String> thresholds = present(sd, "queueDepthThreshold", "kvCacheUtilThreshold",
                    "metricsStalenessThreshold");
            if (sd.has("pluginRef")) {
                w.add(newer ? ConfigWarning.ignored("top level", "saturationDetector.pluginRef", v1alpha1,
                        "flowControl.saturationDetector.pluginRef is also given and wins")
                        : ConfigWarning.mapped("top level", "saturationDetector.pluginRef", v1alpha1,
                        "flowControl.saturationDetector.pluginRef"));
            } else {
                String old = "saturationDetector" + braces(thresholds);
                w.add(newer ? ConfigWarning.ignored("top level", old, "GIE v1.0-v1.x",
                        "flowControl.saturationDetector.pluginRef is also given and wins")
                        : ConfigWarning.mapped("top level", old, "GIE v1.0-v1.x",
                        "a utilization-detector with these parameters as flowControl.saturationDetector"));
            }
        }
        if (root.has("parser")) {
            w.add(ConfigWarning.ignored("top level", "parser.pluginRef", "GIE v1.x, llm-d.ai/v1alpha1",
                    "llm-d.ai/v1 uses requestHandler.parsers; Jetway's gateway parses OpenAI requests itself"));
        }
        JsonNode rh = root.get("requestHandler");
        if (rh != null && rh.isObject()) {
            if (rh.has("parsers") || rh.has("parser")) {
                w.add(ConfigWarning.ignored("requestHandler", rh.has("parsers") ? "parsers" : "parser",
                        "llm-d.ai/v1alpha1, v1", "Jetway's gateway parses OpenAI and vLLM requests itself"));
            }
        }
        JsonNode gates = root.get("featureGates");
        if (gates != null && gates.isArray() && !gates.isEmpty()) {
            List<String> names = new ArrayList<>();
            gates.forEach(g -> {
                String gate = g.asText().trim();
                String bare = gate.contains("=") ? gate.substring(0, gate.indexOf('=')) : gate;
                if (!bare.equals("flowControl")) {
                    names.add(gate);
                }
            });
            if (!names.isEmpty()) {
                w.add(ConfigWarning.ignored("top level", "featureGates " + names, "GIE v1.0+, llm-d",
                        "recorded; the only gate Jetway acts on is flowControl"));
            }
        }
        JsonNode dl = root.get("dataLayer");
        if (dl != null && dl.isObject()) {
            upgradeDataLayer((ObjectNode) dl, w);
        }
    }

    private static void upgradeDataLayer(ObjectNode dl, List<ConfigWarning> w) {
        String v1alpha1 = "llm-d.ai/v1alpha1";
        JsonNode discovery = dl.get("discovery");
        if (discovery != null && discovery.isObject() && discovery.has("pluginRef")) {
            ObjectNode d = (ObjectNode) discovery;
            ObjectNode endpoints = JsonNodeFactory.instance.objectNode();
            endpoints.set("pluginRef", d.remove("pluginRef"));
            if (!d.has("endpoints")) {
                d.set("endpoints", endpoints);
            }
            w.add(ConfigWarning.mapped("dataLayer", "discovery.pluginRef", v1alpha1, "discovery.endpoints.pluginRef"));
        }
        if (dl.has("peerDiscovery")) {
            JsonNode peers = dl.remove("peerDiscovery");
            ObjectNode d = dl.has("discovery") && dl.get("discovery").isObject() ? (ObjectNode) dl.get("discovery")
                    : dl.putObject("discovery");
            if (!d.has("peers")) {
                d.set("peers", peers);
            }
            w.add(ConfigWarning.mapped("dataLayer", "peerDiscovery.pluginRef", v1alpha1, "discovery.peers.pluginRef"));
        }
        for (String[] f : new String[][]{{"crossReplicaSyncerPluginRef", "syncerPluginRef"},
                {"crossReplicaSyncInterval", "syncInterval"}, {"crossReplicaPublishTimeout", "publishTimeout"}}) {
            if (dl.has(f[0])) {
                JsonNode v = dl.remove(f[0]);
                ObjectNode cr = dl.has("crossReplica") && dl.get("crossReplica").isObject()
                        ? (ObjectNode) dl.get("crossReplica") : dl.putObject("crossReplica");
                if (!cr.has(f[1])) {
                    cr.set(f[1], v);
                }
                w.add(ConfigWarning.mapped("dataLayer", f[0], v1alpha1, "crossReplica." + f[1]));
            }
        }
        JsonNode d = dl.path("discovery");
        if (d.has("endpoints")) {
            w.add(ConfigWarning.ignored("dataLayer", "discovery.endpoints.pluginRef", "llm-d.ai/v1",
                    "the reference is checked, but a pool's endpoints come from jetway.yaml"));
        }
        if (d.has("peers")) {
            w.add(ConfigWarning.ignored("dataLayer", "discovery.peers.pluginRef", "llm-d.ai/v1",
                    "Jetway replicas find their peers through jetway.yaml's peers"));
        }
        if (dl.has("crossReplica")) {
            w.add(ConfigWarning.ignored("dataLayer", "crossReplica" + braces(fieldNames(dl.get("crossReplica"))),
                    "llm-d.ai/v1", "Jetway replicas exchange routing state through jetway.yaml's peers"));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Plugins

    /**
     * Rewrites plugins of older releases into today's types and parameters: renamed types, retired filters,
     * producer parameters a scorer used to carry (which configure the producer it reads), moved and renamed fields.
     */
    static Upgraded upgradePlugins(List<PluginSpec> plugins, List<ProfileSpec> profiles, String source,
                                   List<ConfigWarning> w, List<String> problems) {
        Set<String> declared = new HashSet<>();
        plugins.forEach(p -> declared.add(p.name()));
        Map<String, PluginSpec> synthesized = new LinkedHashMap<>();
        Set<String> dropped = new HashSet<>();
        List<PluginSpec> out = new ArrayList<>();
        for (PluginSpec spec : plugins) {
            String type = spec.type();
            String subject = subject(spec.name(), type);
            String[] renamed = RENAMED_TYPES.get(type);
            if (renamed != null) {
                w.add(ConfigWarning.mapped(subject, "type: " + type, renamed[1], "type: " + renamed[0]));
                type = renamed[0];
            }
            if (RETIRED_FILTERS.containsKey(type)) {
                w.add(ConfigWarning.ignored(subject, "type: " + type, GIE_05 + " (removed in GIE v1.0)",
                        "dropped from the pipeline and its profiles; " + RETIRED_FILTERS.get(type)));
                dropped.add(spec.name());
                continue;
            }
            ObjectNode params = spec.parameters().isObject() ? ((ObjectNode) spec.parameters()).deepCopy() : null;
            String where = source + ": plugin '" + spec.name() + "' (" + type + ")";
            if (params != null) {
                subject = subject(spec.name(), type);
                switch (type) {
                    case "low-queue-filter" -> {
                        type = "utilization-filter";
                        params = lowQueue(params, subject, w);
                    }
                    case "prefix-cache-scorer" -> {
                        String mode = mode(params, subject, where, w, problems);
                        if ("cache_tracking".equals(mode)) {
                            type = PRECISE_SCORER;
                            precise(params, subject, w);
                        } else {
                            prefixScorer(spec.name(), params, subject, declared, synthesized, w);
                        }
                    }
                    case PRECISE_SCORER, PRECISE_PRODUCER -> precise(params, subject, w);
                    case APPROX -> approxProducer(params, subject, w);
                    case "prefix-cache-affinity-filter" -> affinityFilter(params, subject, w);
                    case "utilization-detector" -> {
                        if (params.has("stalenessPolicy")) {
                            JsonNode v = params.remove("stalenessPolicy");
                            w.add(ConfigWarning.ignored(subject, "stalenessPolicy: " + v.asText(),
                                    "llm-d-router 2026 (#2492)", "Jetway neither counts a stale endpoint as saturated "
                                            + "nor leaves it out: it estimates it from its last scrape and the "
                                            + "gateway's in-flight counts, and fails open when every endpoint is stale"));
                        }
                    }
                    case "active-request-scorer" -> {
                        if (params.has("requestTimeout")) {
                            w.add(ConfigWarning.ignored(subject, "requestTimeout: " + params.get("requestTimeout")
                                    .asText(), "llm-d-inference-scheduler v0.2+ (legacy, ignored, in llm-d v0.10)",
                                    "Jetway releases a request's count when it completes, so none can go stale"));
                        }
                    }
                    case "no-hit-lru-scorer" -> {
                        for (String f : present(params, "prefixPluginType", "prefixPluginName")) {
                            w.add(ConfigWarning.ignored(subject, f + ": " + params.get(f).asText(),
                                    "llm-d-inference-scheduler v0.3+ (deprecated: never used)",
                                    "use prefixMatchInfoProducerName to choose the producer"));
                        }
                    }
                    case "token-producer", "tokenizer" -> {
                        if (params.has("udsTokenizerConfig")) {
                            params.remove("udsTokenizerConfig");
                            w.add(ConfigWarning.ignored(subject, "udsTokenizerConfig",
                                    "llm-d-inference-scheduler tokenizer plugin (deprecated in llm-d)",
                                    "Jetway runs no tokenizer sidecar: it uses the pool's tokenizer, else the estimate "
                                            + "backend; use vllm: {url} to tokenize on the model server"));
                        }
                    }
                    case "session-affinity-scorer" -> sessionAffinity(params, subject, w);
                    case "core-metrics-extractor" -> {
                        for (String f : present(params, "queuedRequestsSpec", "runningRequestsSpec", "kvUsageSpec",
                                "loraSpec", "cacheInfoSpec", "engineLabelKey")) {
                            params.remove(f);
                            w.add(ConfigWarning.ignored(subject, f, "GIE v1.x model-server-protocol-metrics, llm-d "
                                    + "v0.7", "the gateway reads the metric names of the pool's engine (jetway.yaml's pools[].engine)"));
                        }
                    }
                    default -> {
                    }
                }
            } else if (type.equals("low-queue-filter")) {
                type = "utilization-filter";
                params = lowQueue(JsonNodeFactory.instance.objectNode(), subject, w);
            }
            out.add(new PluginSpec(spec.name(), type, params));
        }
        out.addAll(synthesized.values());
        List<ProfileSpec> profilesOut = profiles;
        if (!dropped.isEmpty()) {
            profilesOut = new ArrayList<>();
            for (ProfileSpec p : profiles) {
                profilesOut.add(new ProfileSpec(p.name(), p.plugins().stream()
                        .filter(r -> !dropped.contains(r.pluginRef())).toList()));
            }
        }
        return new Upgraded(out, profilesOut);
    }

    private static ObjectNode lowQueue(ObjectNode params, String subject, List<ConfigWarning> w) {
        long threshold = params.path("threshold").asLong(128);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ObjectNode condition = out.putArray("conditions").addObject();
        condition.put("metric", "waiting-queue");
        condition.put("maxValue", threshold);
        out.put("fallbackOnEmpty", true);
        w.add(ConfigWarning.mapped(subject, "low-queue-filter {threshold: " + threshold + "}",
                GIE_05 + " (removed in GIE v1.0)", "utilization-filter {waiting-queue <= " + threshold
                        + ", fallbackOnEmpty}"));
        return out;
    }

    /** {@code mode} of llm-d v0.2's prefix-cache-scorer: estimate (approximate) or cache_tracking (precise). */
    private static String mode(ObjectNode params, String subject, String where, List<ConfigWarning> w,
                               List<String> problems) {
        if (!params.has("mode")) {
            return null;
        }
        String mode = params.remove("mode").asText();
        switch (mode) {
            case "estimate" -> w.add(ConfigWarning.mapped(subject, "mode: estimate", LLMD_02,
                    "prefix-cache-scorer reading " + APPROX + " (the default)"));
            case "cache_tracking" -> w.add(ConfigWarning.mapped(subject, "mode: cache_tracking", LLMD_02,
                    "type: " + PRECISE_SCORER, "today: " + PRECISE_PRODUCER + " + prefix-cache-scorer"));
            default -> problems.add(where + ": parameter 'mode' must be estimate or cache_tracking (" + LLMD_02
                    + "), got '" + mode + "'");
        }
        return mode;
    }

    private static final List<String> PRODUCER_FIELDS = List.of("hashBlockSize", "blockSize", "blockSizeTokens",
            "maxPrefixBlocksToMatch", "maxPrefixTokensToMatch", "lruCapacityPerServer", "autoTune");

    /**
     * GIE's prefix-cache-scorer hashed and indexed prompts itself, so it took the index's parameters; llm-d v0.9 moved
     * them to {@code approx-prefix-cache-producer}. They configure the producer the scorer reads: the default one
     * (created here with them), or a second one when another old scorer already set the default differently.
     */
    private static void prefixScorer(String name, ObjectNode params, String subject, Set<String> declared,
                                     Map<String, PluginSpec> synthesized, List<ConfigWarning> w) {
        String renamed = "llm-d-router, 2026 (before v0.10)";
        renameField(params, "prefixLengthWeight", "matchLengthWeight", subject, renamed, w);
        renameField(params, "maxModelLen", "matchLengthScaleTokens", subject, renamed, w);
        if (params.has("indexerConfig") || params.has("kvCacheRedisAddr")) {
            for (String f : present(params, "indexerConfig", "kvCacheRedisAddr")) {
                params.remove(f);
                w.add(ConfigWarning.ignored(subject, f, LLMD_02, "belonged to mode: cache_tracking, which this "
                        + "scorer does not set; use " + PRECISE_PRODUCER + " for KV-event routing"));
            }
        }
        List<String> legacy = present(params, PRODUCER_FIELDS.toArray(String[]::new));
        if (legacy.isEmpty()) {
            return;
        }
        ObjectNode old = JsonNodeFactory.instance.objectNode();
        for (String f : legacy) {
            old.set(f, params.remove(f));
        }
        String ref = params.hasNonNull("prefixMatchInfoProducerName")
                ? params.get("prefixMatchInfoProducerName").asText() : null;
        String target = ref != null ? ref : APPROX;
        if (declared.contains(target)) {
            for (String f : legacy) {
                w.add(ConfigWarning.ignored(subject, f + ": " + old.get(f), release(f), "this scorer reads producer '"
                        + target + "', which the config declares: set " + f + " there"));
            }
            return;
        }
        ObjectNode producer = producerParams(old, subject, null, null);
        PluginSpec existing = synthesized.get(target);
        if (existing != null && !existing.parameters().equals(producer)) {
            if (ref != null) {
                for (String f : legacy) {
                    w.add(ConfigWarning.ignored(subject, f + ": " + old.get(f), release(f), "producer '" + target
                            + "' was already configured by an earlier scorer; declare " + APPROX + " explicitly"));
                }
                return;
            }
            target = APPROX + "-for-" + name;
            params.put("prefixMatchInfoProducerName", target);
        }
        producerParams(old, subject, w, target.equals(APPROX) ? APPROX + " " : APPROX + " '" + target + "' ");
        synthesized.putIfAbsent(target, new PluginSpec(target, APPROX, producer));
    }

    private static String release(String field) {
        return switch (field) {
            case "hashBlockSize" -> GIE_HASH;
            case "blockSize" -> GIE_CHARS;
            case "blockSizeTokens" -> "GIE v1.3-v1.5, llm-d <= v0.8";
            case "autoTune" -> "GIE v1.2-v1.5, llm-d <= v0.8";
            default -> SCORER_CARRIED;
        };
    }

    /**
     * The producer parameters a scorer's old index parameters mean; with {@code w}, also a warning per field, naming
     * the producer as {@code producer}.
     */
    private static ObjectNode producerParams(ObjectNode old, String subject, List<ConfigWarning> w, String producer) {
        List<ConfigWarning> notes = w == null ? new ArrayList<>() : w;
        String to = producer == null ? "" : producer;
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        // GIE hashed characters until v1.3 (blocks of hashBlockSize/blockSize characters, 64 = ~16 tokens)
        long tokensPerBlock = 16;
        String blockUnit = "blocks of 64 characters (~16 tokens, the default)";
        if (old.has("blockSizeTokens")) {
            tokensPerBlock = Math.max(1, old.get("blockSizeTokens").asLong());
            blockUnit = "blocks of " + tokensPerBlock + " tokens";
            p.put("blockSizeTokens", tokensPerBlock);
            notes.add(ConfigWarning.mapped(subject, "blockSizeTokens: " + tokensPerBlock, release("blockSizeTokens"),
                    to + "blockSizeTokens: " + tokensPerBlock, "at least 64 in Jetway's approximate index"));
            for (String f : present(old, "hashBlockSize", "blockSize")) {
                notes.add(ConfigWarning.ignored(subject, f + ": " + old.get(f), release(f),
                        "blockSizeTokens is given"));
            }
        } else {
            for (String f : present(old, "hashBlockSize", "blockSize")) {
                long chars = Math.max(1, old.get(f).asLong());
                if (p.has("blockSizeTokens")) {
                    notes.add(ConfigWarning.ignored(subject, f + ": " + chars, release(f), "hashBlockSize is given"));
                    continue;
                }
                tokensPerBlock = Math.max(1, chars / 4);
                blockUnit = "blocks of " + chars + " characters (~" + tokensPerBlock + " tokens)";
                p.put("blockSizeTokens", tokensPerBlock);
                notes.add(ConfigWarning.mapped(subject, f + ": " + chars, release(f), to + "blockSizeTokens: "
                        + tokensPerBlock, "characters / 4; at least 64 in Jetway's approximate index"));
            }
        }
        if (old.has("maxPrefixTokensToMatch")) {
            long tokens = old.get("maxPrefixTokensToMatch").asLong();
            p.put("maxPrefixTokensToMatch", tokens);
            notes.add(ConfigWarning.mapped(subject, "maxPrefixTokensToMatch: " + tokens, SCORER_CARRIED,
                    to + "maxPrefixTokensToMatch: " + tokens));
            if (old.has("maxPrefixBlocksToMatch")) {
                notes.add(ConfigWarning.ignored(subject, "maxPrefixBlocksToMatch: "
                        + old.get("maxPrefixBlocksToMatch"),
                        SCORER_CARRIED, "maxPrefixTokensToMatch is given"));
            }
        } else if (old.has("maxPrefixBlocksToMatch")) {
            long blocks = old.get("maxPrefixBlocksToMatch").asLong();
            if (blocks > 0) {
                long tokens = blocks * tokensPerBlock;
                p.put("maxPrefixTokensToMatch", tokens);
                notes.add(ConfigWarning.mapped(subject, "maxPrefixBlocksToMatch: " + blocks, SCORER_CARRIED,
                        to + "maxPrefixTokensToMatch: " + tokens,
                        "the same prefix length: " + blocks + " " + blockUnit));
            } else {
                p.put("maxPrefixBlocksToMatch", blocks);
                notes.add(ConfigWarning.mapped(subject, "maxPrefixBlocksToMatch: " + blocks, SCORER_CARRIED,
                        to + "maxPrefixBlocksToMatch: " + blocks));
            }
        }
        for (String f : present(old, "lruCapacityPerServer", "autoTune")) {
            p.set(f, old.get(f));
            notes.add(ConfigWarning.mapped(subject, f + ": " + old.get(f), release(f), to + f + ": " + old.get(f)));
        }
        return p;
    }

    /** The deprecated character-based {@code blockSize} of the approximate producer (GIE v1.3, #2053). */
    private static void approxProducer(ObjectNode params, String subject, List<ConfigWarning> w) {
        if (!params.has("blockSize")) {
            return;
        }
        JsonNode chars = params.remove("blockSize");
        if (params.has("blockSizeTokens")) {
            w.add(ConfigWarning.ignored(subject, "blockSize: " + chars, "GIE v1.3+ (deprecated)",
                    "blockSizeTokens is given"));
        } else if (chars.isNumber()) {
            long tokens = Math.max(1, chars.asLong() / 4);
            params.put("blockSizeTokens", tokens);
            w.add(ConfigWarning.mapped(subject, "blockSize: " + chars, "GIE v1.3+ (deprecated)",
                    "blockSizeTokens: " + tokens, "characters / 4"));
        } else {
            params.set("blockSize", chars); // let the producer say what is wrong with it
        }
    }

    /** The precise scorer's and producer's older shapes (llm-d v0.2-v0.3, the kvcache-aware-scorer). */
    private static void precise(ObjectNode params, String subject, List<ConfigWarning> w) {
        String inProcess = "Jetway's precise index is in-process: each gateway subscribes to the engines' KV events "
                + "itself";
        JsonNode indexer = params.get("indexerConfig");
        if (indexer != null && indexer.isObject()) {
            ObjectNode ix = (ObjectNode) indexer;
            if (ix.has("tokenProcessorConfig")) {
                JsonNode tp = ix.remove("tokenProcessorConfig");
                if (params.has("tokenProcessorConfig")) {
                    w.add(ConfigWarning.ignored(subject, "indexerConfig.tokenProcessorConfig", LLMD_03,
                            "tokenProcessorConfig is also given at the top and wins"));
                } else {
                    params.set("tokenProcessorConfig", tp);
                    w.add(ConfigWarning.mapped(subject, "indexerConfig.tokenProcessorConfig", LLMD_03,
                            "tokenProcessorConfig" + (tp.has("blockSize") ? " (blockSize " + tp.get("blockSize")
                                    + ")" : "")));
                }
            }
            for (String f : present(ix, "prefixStoreConfig", "tokenizersPoolConfig")) {
                ix.remove(f);
                w.add(ConfigWarning.ignored(subject, "indexerConfig." + f, LLMD_03 + " (deprecated in llm-d)",
                        "Jetway tokenizes with the token-producer or the pool's tokenizer"));
            }
            JsonNode block = ix.get("kvBlockIndexConfig");
            if (block != null && block.isObject()) {
                for (String f : present(block, "redisConfig", "valkeyConfig")) {
                    ((ObjectNode) block).remove(f);
                    w.add(ConfigWarning.ignored(subject, "indexerConfig.kvBlockIndexConfig." + f,
                            LLMD_02 + "+", inProcess));
                }
            }
        }
        for (String f : present(params, "kvCacheRedisAddr", "redisAddress")) {
            params.remove(f);
            w.add(ConfigWarning.ignored(subject, f, f.equals("redisAddress") ? LLMD_EARLY : LLMD_02, inProcess));
        }
        if (params.has("hfToken")) {
            params.remove("hfToken");
            w.add(ConfigWarning.ignored(subject, "hfToken", LLMD_EARLY,
                    "Jetway downloads no tokenizer: use a token-producer with the vllm backend"));
        }
        JsonNode events = params.get("kvEventsConfig");
        if (events != null && events.isObject() && events.has("zmqEndpoint")) {
            JsonNode zmq = ((ObjectNode) events).remove("zmqEndpoint");
            w.add(ConfigWarning.ignored(subject, "kvEventsConfig.zmqEndpoint: " + zmq.asText(), LLMD_02 + "+",
                    "Jetway dials each endpoint's KV-event publisher (kvEvents per endpoint in jetway.yaml) instead "
                            + "of binding one socket for all"));
        }
    }

    private static void affinityFilter(ObjectNode params, String subject, List<ConfigWarning> w) {
        if (!params.has("maxTokensInFlightPenalty")) {
            return;
        }
        String release = "llm-d v0.8-v0.9 guides (optimized-baseline)";
        JsonNode tokens = params.get("maxTokensInFlightPenalty");
        if (params.has("maxTTFTPenaltyMs")) {
            w.add(ConfigWarning.ignored(subject, "maxTokensInFlightPenalty: " + tokens.asText(), release,
                    "maxTTFTPenaltyMs is also given and wins"));
            return;
        }
        double peak = params.path("peakPrefillThroughput").asDouble(15928);
        double ms = tokens.asDouble() / peak * 1000.0;
        w.add(ConfigWarning.mapped(subject, "maxTokensInFlightPenalty: " + tokens.asText(), release,
                "maxTTFTPenaltyMs: " + String.format(Locale.ROOT, "%.0f", ms),
                "tokens / peakPrefillThroughput " + String.format(Locale.ROOT, "%.0f", peak) + " tok/s"));
    }

    private static void sessionAffinity(ObjectNode params, String subject, List<ConfigWarning> w) {
        for (String f : present(params, "maxAge", "secure", "sameSite")) {
            JsonNode v = params.remove(f);
            w.add(ConfigWarning.ignored(subject, f + ": " + v.asText(), "llm-d-inference-scheduler "
                    + "cookie variant (llm-d-session)", "Jetway carries the session in the x-session-token header "
                    + "(or headerName), not a cookie"));
        }
        if (params.has("sessionIDProducerName")) {
            params.remove("sessionIDProducerName");
            w.add(ConfigWarning.ignored(subject, "sessionIDProducerName", "llm-d-router v0.10+",
                    "session-id-producer is not built; the scorer reads the session id from the request itself"));
        }
        if (params.has("missThreshold")) {
            w.add(ConfigWarning.ignored(subject, "missThreshold: " + params.get("missThreshold").asText(),
                    "llm-d-router 2026", "a session stays bound until evictionTtlSeconds; when its endpoint is not a "
                            + "candidate the request is scored like any other"));
        }
    }

    private static void renameField(ObjectNode params, String old, String now, String subject, String release,
                                    List<ConfigWarning> w) {
        if (!params.has(old)) {
            return;
        }
        JsonNode v = params.remove(old);
        if (params.has(now)) {
            w.add(ConfigWarning.ignored(subject, old + ": " + v.asText(), release, now + " is also given and wins"));
        } else {
            params.set(now, v);
            w.add(ConfigWarning.mapped(subject, old + ": " + v.asText(), release, now + ": " + v.asText()));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // References from sections the scheduler does not run

    /**
     * Plugin names referenced from {@code flowControl}, {@code requestHandler}, the deprecated top-level
     * {@code saturationDetector}/{@code parser}, and the data layer's peer discovery and cross-replica syncer, with
     * where; the pipeline skips such a plugin (with a warning) when no scheduling profile lists it and Jetway has no
     * such type.
     */
    static Map<String, String> sideWiredRefs(EndpointPickerConfig config) {
        Map<String, String> refs = new LinkedHashMap<>();
        JsonNode fc = config.other().get("flowControl");
        if (fc != null) {
            ref(refs, fc.path("saturationDetector"), "pluginRef", "flowControl.saturationDetector");
            ref(refs, fc, "usageLimitPolicyPluginRef", "flowControl.usageLimitPolicyPluginRef");
            ref(refs, fc, "bandSelectionPolicyPluginRef", BAND_SELECTION_REF);
            for (String band : List.of("defaultPriorityBand", "defaultNegativePriorityBand")) {
                ref(refs, fc.path(band), "fairnessPolicyRef", "flowControl." + band + ".fairnessPolicyRef");
                ref(refs, fc.path(band), "orderingPolicyRef", "flowControl." + band + ".orderingPolicyRef");
            }
            for (JsonNode b : fc.path("priorityBands")) {
                ref(refs, b, "fairnessPolicyRef", "flowControl.priorityBands[].fairnessPolicyRef");
                ref(refs, b, "orderingPolicyRef", "flowControl.priorityBands[].orderingPolicyRef");
            }
        }
        JsonNode rh = config.other().get("requestHandler");
        if (rh != null) {
            for (JsonNode p : rh.path("parsers")) {
                ref(refs, p, "pluginRef", "requestHandler.parsers");
            }
        }
        JsonNode sd = config.other().get("saturationDetector");
        if (sd != null) {
            ref(refs, sd, "pluginRef", "saturationDetector");
        }
        JsonNode parser = config.other().get("parser");
        if (parser != null) {
            ref(refs, parser, "pluginRef", "parser");
        }
        ref(refs, config.dataLayer().path("discovery").path("peers"), "pluginRef", "dataLayer.discovery.peers");
        ref(refs, config.dataLayer().path("crossReplica"), "syncerPluginRef", "dataLayer.crossReplica");
        return refs;
    }

    private static void ref(Map<String, String> refs, JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v != null && v.isTextual() && !v.asText().isEmpty()) {
            refs.putIfAbsent(v.asText(), where);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    static String subject(String name, String type) {
        return name.equals(type) ? "plugin '" + name + "'" : "plugin '" + name + "' (" + type + ")";
    }

    private static List<String> present(JsonNode node, String... fields) {
        List<String> out = new ArrayList<>();
        for (String f : fields) {
            if (node.has(f) && !node.get(f).isNull()) {
                out.add(f);
            }
        }
        return out;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    private static String braces(List<String> fields) {
        return fields.isEmpty() ? "" : " {" + String.join(", ", fields) + "}";
    }
}
