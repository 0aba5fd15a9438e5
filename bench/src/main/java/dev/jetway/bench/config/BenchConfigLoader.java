package dev.jetway.bench.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.jetway.bench.load.ArrivalProcess;
import dev.jetway.bench.load.LoadProfile;
import dev.jetway.bench.load.LoadStage;
import dev.jetway.bench.load.StageTransition;
import dev.jetway.bench.traffic.TrafficMix;
import dev.jetway.bench.workload.ChatClass;
import dev.jetway.bench.workload.ChatWorkload;
import dev.jetway.bench.workload.CodingClass;
import dev.jetway.bench.workload.ConversationWorkload;
import dev.jetway.bench.workload.IntDistribution;
import dev.jetway.bench.workload.MixedWorkload;
import dev.jetway.bench.workload.RagClass;
import dev.jetway.bench.workload.RandomWorkload;
import dev.jetway.bench.workload.RequestClass;
import dev.jetway.bench.workload.SharedPrefixWorkload;
import dev.jetway.bench.workload.TraceWorkload;
import dev.jetway.bench.workload.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads inference-perf-style workload files (YAML or JSON), with Jetway's {@code cluster}, {@code published} and
 * {@code traffic} ({@link TrafficSection}) sections. Every error names the offending field, e.g.
 * {@code data.shared_prefix.num_groups: expected an integer, got "x"}.
 */
public final class BenchConfigLoader {

    private static final long DEFAULT_SEED = 42;
    private static final Pattern GPUS_IN_HARDWARE = Pattern.compile("^\\s*(\\d+)\\s*x", Pattern.CASE_INSENSITIVE);

    private BenchConfigLoader() {
    }

    public static BenchConfig load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("workload file not found: " + file);
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getMessage());
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(root, base);
    }

    public static BenchConfig parse(JsonNode root, Path baseDir) {
        if (root == null || !root.isObject()) {
            throw new ConfigException("workload file must be a YAML mapping with load/api/server/data sections");
        }
        LoadProfile load = load(root.path("load"));
        JsonNode api = root.path("api");
        ApiType apiType = switch (text(api, "type", "api.type", "completion").toLowerCase(Locale.ROOT)) {
            case "completion", "completions" -> ApiType.COMPLETION;
            case "chat" -> ApiType.CHAT;
            default -> throw new ConfigException("api.type: expected completion or chat, got \"" + api.path("type").asText() + "\"");
        };
        boolean streaming = bool(api, "streaming", "api.streaming", true);
        JsonNode server = root.path("server");
        String model = text(server, "model_name", "server.model_name", null);
        String baseUrl = text(server, "base_url", "server.base_url", null);
        boolean ignoreEos = bool(server, "ignore_eos", "server.ignore_eos", true);
        Workload workload = data(root.path("data"), baseDir);
        ClusterSpec cluster = root.has("cluster") ? cluster(root.path("cluster")) : null;
        TrafficMix traffic = TrafficSection.parse(root.get("traffic"));
        return new BenchConfig(load, apiType, streaming, model, baseUrl, ignoreEos, workload, cluster,
                published(root.path("published")), traffic);
    }

    static LoadProfile load(JsonNode load) {
        if (load.isMissingNode()) {
            throw new ConfigException("load: missing (needs type and stages)");
        }
        ArrivalProcess type = switch (text(load, "type", "load.type", "constant").toLowerCase(Locale.ROOT)) {
            case "poisson" -> ArrivalProcess.POISSON;
            case "constant" -> ArrivalProcess.CONSTANT;
            default -> throw new ConfigException("load.type: expected poisson or constant, got \"" + load.path("type").asText() + "\"");
        };
        List<LoadStage> stages = new ArrayList<>();
        if (load.has("warmup")) {
            stages.add(stage(load.path("warmup"), "load.warmup", true));
        }
        JsonNode list = load.path("stages");
        if (list.isArray()) {
            for (int i = 0; i < list.size(); i++) {
                stages.add(stage(list.get(i), "load.stages[" + i + "]", false));
            }
        } else if (!list.isMissingNode()) {
            throw new ConfigException("load.stages: expected a list of {rate, duration}");
        } else if (load.has("rate")) {
            stages.add(stage(load, "load", false));
        }
        if (stages.isEmpty() || stages.stream().allMatch(LoadStage::warmup)) {
            throw new ConfigException("load.stages: at least one {rate, duration} stage is needed");
        }
        int cap = integer(load, "max_concurrency", "load.max_concurrency", 0);
        if (cap == 0 && load.has("num_workers") && load.has("worker_max_concurrency")) {
            cap = integer(load, "num_workers", "load.num_workers", 0)
                    * integer(load, "worker_max_concurrency", "load.worker_max_concurrency", 0);
        }
        double timeout = number(load, "request_timeout", "load.request_timeout", LoadProfile.DEFAULT_TIMEOUT_SECONDS);
        long seed = integer(load, "seed", "load.seed", (int) DEFAULT_SEED);
        try {
            return new LoadProfile(type, stages, cap, timeout, seed, transition(load));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("load: " + e.getMessage());
        }
    }

    /**
     * inference-perf waits for every request of a stage before the next starts, then sleeps {@code load.interval}
     * (default 1 s); {@code drain_stages: false} (a Jetway field) runs the stages back to back instead.
     */
    private static StageTransition transition(JsonNode load) {
        boolean drain = bool(load, "drain_stages", "load.drain_stages", true);
        double interval = number(load, "interval", "load.interval", 1.0);
        if (!drain) {
            return StageTransition.CONTINUOUS;
        }
        try {
            return StageTransition.inferencePerf(interval);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("load.interval: " + e.getMessage());
        }
    }

    private static LoadStage stage(JsonNode node, String where, boolean warmup) {
        double rate = number(node, "rate", where + ".rate", Double.NaN);
        double duration = number(node, "duration", where + ".duration", Double.NaN);
        if (Double.isNaN(rate) || Double.isNaN(duration)) {
            throw new ConfigException(where + ": needs rate and duration");
        }
        try {
            return new LoadStage(rate, duration, warmup);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
    }

    static Workload data(JsonNode data, Path baseDir) {
        if (data.isMissingNode()) {
            throw new ConfigException("data: missing (needs type and its section)");
        }
        String type = text(data, "type", "data.type", null);
        if (type == null) {
            throw new ConfigException("data.type: missing (shared_prefix, random, chat, trace, mixed or conversation)");
        }
        String key = type.toLowerCase(Locale.ROOT).replace('-', '_');
        try {
            return switch (key) {
                case "shared_prefix" -> sharedPrefix(section(data, "shared_prefix"), "data.shared_prefix");
                case "random" -> random(data, section(data, "random"), "data.random");
                case "chat" -> chat(section(data, "chat"), "data.chat");
                case "trace" -> trace(section(data, "trace"), "data.trace", baseDir);
                case "mixed" -> mixed(section(data, "mixed"), "data.mixed");
                case "conversation" -> conversation(section(data, "conversation"), "data.conversation");
                default -> throw new ConfigException("data.type: unknown \"" + type
                        + "\" (known: shared_prefix, random, chat, trace, mixed, conversation)");
            };
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException("data." + key + ": " + e.getMessage());
        }
    }

    private static JsonNode section(JsonNode data, String name) {
        JsonNode s = data.get(name);
        if (s == null) {
            s = data.get(name.replace('_', '-'));
        }
        return s == null ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode() : s;
    }

    private static SharedPrefixWorkload sharedPrefix(JsonNode s, String where) {
        int groups = s.has("num_unique_system_prompts") && !s.has("num_groups")
                ? integer(s, "num_unique_system_prompts", where + ".num_unique_system_prompts", 10)
                : integer(s, "num_groups", where + ".num_groups", 10);
        int perGroup = s.has("num_users_per_system_prompt") && !s.has("num_prompts_per_group")
                ? integer(s, "num_users_per_system_prompt", where + ".num_users_per_system_prompt", 10)
                : integer(s, "num_prompts_per_group", where + ".num_prompts_per_group", 10);
        IntDistribution system = distribution(s, "system_prompt_len", where, 100);
        IntDistribution question = s.has("question_distribution")
                ? distribution(s, "question_distribution", where, 50)
                : distribution(s, "question_len", where, 50);
        IntDistribution output = s.has("output_distribution")
                ? distribution(s, "output_distribution", where, 50)
                : distribution(s, "output_len", where, 50);
        long seed = integer(s, "seed", where + ".seed", (int) DEFAULT_SEED);
        boolean multiTurn = bool(s, "enable_multi_turn_chat", where + ".enable_multi_turn_chat", false);
        return new SharedPrefixWorkload(new SharedPrefixWorkload.Spec(groups, perGroup, system, question, output,
                seed, multiTurn));
    }

    private static RandomWorkload random(JsonNode data, JsonNode s, String where) {
        // inference-perf puts input_distribution/output_distribution directly under data.
        JsonNode src = s.size() > 0 ? s : data;
        String w = s.size() > 0 ? where : "data";
        IntDistribution in = src.has("input_distribution") ? distribution(src, "input_distribution", w, 1000)
                : distribution(src, "input_len", w, 1000);
        IntDistribution out = src.has("output_distribution") ? distribution(src, "output_distribution", w, 100)
                : distribution(src, "output_len", w, 100);
        return new RandomWorkload(in, out, integer(src, "num_prompts", w + ".num_prompts", 0),
                integer(src, "seed", w + ".seed", (int) DEFAULT_SEED));
    }

    private static ChatWorkload chat(JsonNode s, String where) {
        return new ChatWorkload(integer(s, "num_sessions", where + ".num_sessions", 16),
                integer(s, "turns", where + ".turns", 5),
                distribution(s, "system_prompt_len", where, 500),
                distribution(s, "user_len", where, 200),
                distribution(s, "output_len", where, 200),
                integer(s, "seed", where + ".seed", (int) DEFAULT_SEED));
    }

    /** Fields each request class accepts: anything else is a typo that would silently fall back to a default. */
    private static final Map<String, Set<String>> CLASS_FIELDS = Map.of(
            "rag", Set.of("type", "weight", "system_prompt_len", "num_documents", "document_len", "zipf_exponent",
                    "question_len", "output_len"),
            "coding", Set.of("type", "weight", "system_prompt_len", "prompt_len", "output_len"),
            "chat", Set.of("type", "weight", "num_sessions", "turns", "system_prompt_len", "user_len", "output_len"));

    private static MixedWorkload mixed(JsonNode s, String where) {
        JsonNode list = s.path("classes");
        if (!list.isArray() || list.isEmpty()) {
            throw new ConfigException(where + ".classes: expected a list of request classes ({type: rag|coding|chat, "
                    + "weight, ...})");
        }
        List<RequestClass> classes = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            classes.add(requestClass(list.get(i), where + ".classes[" + i + "]"));
        }
        return new MixedWorkload(classes, integer(s, "seed", where + ".seed", (int) DEFAULT_SEED));
    }

    private static RequestClass requestClass(JsonNode c, String where) {
        if (!c.isObject()) {
            throw new ConfigException(where + ": expected a mapping with type and weight");
        }
        String type = text(c, "type", where + ".type", null);
        if (type == null || !CLASS_FIELDS.containsKey(type.toLowerCase(Locale.ROOT))) {
            throw new ConfigException(where + ".type: expected rag, coding or chat, got " + c.get("type"));
        }
        type = type.toLowerCase(Locale.ROOT);
        rejectUnknown(c, where, CLASS_FIELDS.get(type), "a " + type + " class");
        double weight = number(c, "weight", where + ".weight", Double.NaN);
        if (Double.isNaN(weight)) {
            throw new ConfigException(where + ".weight: missing (the class's share of requests)");
        }
        try {
            return switch (type) {
                case "rag" -> new RagClass(weight, distribution(c, "system_prompt_len", where, 0),
                        integer(c, "num_documents", where + ".num_documents", 1000),
                        distribution(c, "document_len", where, 4000),
                        number(c, "zipf_exponent", where + ".zipf_exponent", 1.0),
                        distribution(c, "question_len", where, 50), distribution(c, "output_len", where, 150));
                case "coding" -> new CodingClass(weight, distribution(c, "system_prompt_len", where, 0),
                        distribution(c, "prompt_len", where, 1000), distribution(c, "output_len", where, 2000));
                default -> new ChatClass(weight, integer(c, "num_sessions", where + ".num_sessions", 16),
                        integer(c, "turns", where + ".turns", 5), distribution(c, "system_prompt_len", where, 500),
                        distribution(c, "user_len", where, 200), distribution(c, "output_len", where, 200));
            };
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
    }

    private static final Set<String> CONVERSATION_FIELDS = Set.of("duration", "session_rate",
            "continue_probability", "think_time", "system_prompt_len", "message_len", "document_first",
            "document_later", "document_len", "output_len", "max_context", "seed");

    /**
     * Defaults are the model fitted to Mooncake's conversation trace (docs/benchmarking.md, "conversation"), so
     * {@code type: conversation} alone generates an hour shaped like it.
     */
    private static ConversationWorkload conversation(JsonNode s, String where) {
        rejectUnknown(s, where, CONVERSATION_FIELDS, "the conversation workload");
        return new ConversationWorkload(new ConversationWorkload.Spec(
                number(s, "duration", where + ".duration", 3600),
                number(s, "session_rate", where + ".session_rate", 1.9),
                number(s, "continue_probability", where + ".continue_probability", 0.49),
                distribution(s, "think_time", where, new IntDistribution.LogNormal(135, 1.15, 30, 3600)),
                distribution(s, "system_prompt_len", where, IntDistribution.of(880)),
                distribution(s, "message_len", where, new IntDistribution.LogNormal(130, 1.7, 5, 2000)),
                number(s, "document_first", where + ".document_first", 0.65),
                number(s, "document_later", where + ".document_later", 0.26),
                distribution(s, "document_len", where, new IntDistribution.LogNormal(8500, 0.85, 2000, 131072)),
                distribution(s, "output_len", where, new IntDistribution.Normal(333, 216, 1, 1300)),
                integer(s, "max_context", where + ".max_context", 40_960),
                integer(s, "seed", where + ".seed", (int) DEFAULT_SEED)));
    }

    static void rejectUnknown(JsonNode node, String where, Set<String> allowed, String what) {
        for (String field : (Iterable<String>) node::fieldNames) {
            if (!allowed.contains(field)) {
                throw new ConfigException(where + "." + field + ": unknown field for " + what + " (known: "
                        + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
        }
    }

    private static TraceWorkload trace(JsonNode s, String where, Path baseDir) {
        String file = text(s, "file", where + ".file", null);
        if (file == null) {
            throw new ConfigException(where + ".file: missing (path of a Mooncake JSONL trace)");
        }
        String format = text(s, "format", where + ".format", "mooncake");
        if (!format.equalsIgnoreCase("mooncake")) {
            throw new ConfigException(where + ".format: only mooncake is supported, got \"" + format + "\"");
        }
        Path path = Path.of(file);
        if (!path.isAbsolute() && baseDir != null) {
            path = baseDir.resolve(path);
        }
        if (!Files.isRegularFile(path)) {
            throw new ConfigException(where + ".file: not found: " + path);
        }
        double scale = number(s, "time_scale", where + ".time_scale", 1.0);
        int blockTokens = integer(s, "block_tokens", where + ".block_tokens", TraceWorkload.MOONCAKE_BLOCK_TOKENS);
        return new TraceWorkload(TraceWorkload.readMooncake(path), scale, blockTokens);
    }

    static ClusterSpec cluster(JsonNode c) {
        int gpus = integer(c, "gpusPerReplica", "cluster.gpusPerReplica", 0);
        if (gpus == 0 && c.has("hardware")) {
            Matcher m = GPUS_IN_HARDWARE.matcher(c.path("hardware").asText());
            gpus = m.find() ? Integer.parseInt(m.group(1)) : 1;
        }
        int replicas = integer(c, "replicas", "cluster.replicas", 0);
        String profile = text(c, "profile", "cluster.profile", null);
        List<ClusterSpec.Group> groups = groups(c);
        if (!groups.isEmpty()) {
            if (profile != null) {
                throw new ConfigException("cluster.profile: a cluster with groups gives the profile in each group "
                        + "(cluster.groups[i].profile)");
            }
            int sum = groups.stream().mapToInt(ClusterSpec.Group::replicas).sum();
            if (replicas != 0 && replicas != sum) {
                throw new ConfigException("cluster.replicas: " + replicas + " does not match the " + sum
                        + " replicas of cluster.groups");
            }
            replicas = sum;
        }
        return new ClusterSpec(replicas, profile,
                c.has("block_size") ? integer(c, "block_size", "cluster.block_size", 0)
                        : integer(c, "blockSize", "cluster.blockSize", 0),
                integer(c, "kvCacheTokensPerReplica", "cluster.kvCacheTokensPerReplica", 0),
                integer(c, "maxNumBatchedTokens", "cluster.maxNumBatchedTokens", 0),
                Math.max(1, gpus), groups, pd(c));
    }

    private static final Set<String> PD_FIELDS = Set.of("split", "prefillProfile", "decodeProfile");

    /** {@code cluster.pd}: {split: 8P2D or [2P6D, 4P4D], prefillProfile, decodeProfile}. */
    private static ClusterSpec.Pd pd(JsonNode c) {
        JsonNode pd = c.get("pd");
        if (pd == null || pd.isNull()) {
            return null;
        }
        if (!pd.isObject()) {
            throw new ConfigException("cluster.pd: expected {split, prefillProfile, decodeProfile}");
        }
        rejectUnknown(pd, "cluster.pd", PD_FIELDS, "the P/D pools");
        if (c.has("groups")) {
            throw new ConfigException("cluster.pd: a P/D pool has its own groups (prefill and decode); leave "
                    + "cluster.groups out");
        }
        JsonNode split = pd.get("split");
        List<String> values = new ArrayList<>();
        if (split == null || split.isNull()) {
            throw new ConfigException("cluster.pd.split: missing (xPyD, e.g. 8P2D, or a list of them)");
        } else if (split.isArray()) {
            split.forEach(v -> values.add(v.asText()));
        } else if (split.isTextual()) {
            values.add(split.asText());
        } else {
            throw new ConfigException("cluster.pd.split: expected xPyD, e.g. 8P2D, or a list of them");
        }
        try {
            return new ClusterSpec.Pd(PdSplit.parseList(values, "cluster.pd.split"),
                    text(pd, "prefillProfile", "cluster.pd.prefillProfile", null),
                    text(pd, "decodeProfile", "cluster.pd.decodeProfile", null));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static final Set<String> GROUP_FIELDS = Set.of("replicas", "profile", "kvCacheTokensPerReplica",
            "maxNumBatchedTokens");

    /** {@code cluster.groups}: replicas of one model on several engine profiles (a heterogeneous pool). */
    private static List<ClusterSpec.Group> groups(JsonNode c) {
        JsonNode list = c.get("groups");
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray() || list.isEmpty()) {
            throw new ConfigException("cluster.groups: expected a list of {replicas, profile}");
        }
        List<ClusterSpec.Group> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode g = list.get(i);
            String where = "cluster.groups[" + i + "]";
            if (!g.isObject()) {
                throw new ConfigException(where + ": expected {replicas, profile}");
            }
            if (g.has("blockSize") || g.has("block_size")) {
                throw new ConfigException(where + ".blockSize: every replica uses cluster.blockSize (the prefix "
                        + "index keys blocks by one size)");
            }
            rejectUnknown(g, where, GROUP_FIELDS, "a replica group");
            int replicas = integer(g, "replicas", where + ".replicas", 0);
            if (replicas < 1) {
                throw new ConfigException(where + ".replicas: expected at least 1, got " + g.get("replicas"));
            }
            String profile = text(g, "profile", where + ".profile", null);
            if (profile == null) {
                throw new ConfigException(where + ".profile: missing (an engine profile name)");
            }
            out.add(new ClusterSpec.Group(replicas, profile,
                    integer(g, "kvCacheTokensPerReplica", where + ".kvCacheTokensPerReplica", 0),
                    integer(g, "maxNumBatchedTokens", where + ".maxNumBatchedTokens", 0)));
        }
        return out;
    }

    private static Map<String, Map<String, Double>> published(JsonNode p) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        if (!p.isObject()) {
            return out;
        }
        p.properties().forEach(policy -> {
            Map<String, Double> metrics = new LinkedHashMap<>();
            policy.getValue().properties().forEach(m -> {
                if (m.getValue().isNumber()) {
                    metrics.put(m.getKey(), m.getValue().asDouble());
                }
            });
            out.put(policy.getKey(), metrics);
        });
        return out;
    }

    static IntDistribution distribution(JsonNode parent, String field, String where, int dflt) {
        return distribution(parent, field, where, IntDistribution.of(dflt));
    }

    static IntDistribution distribution(JsonNode parent, String field, String where, IntDistribution dflt) {
        JsonNode v = parent.get(field);
        String at = where + "." + field;
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (v.isIntegralNumber()) {
            int n = v.asInt();
            if (n < 0) {
                throw new ConfigException(at + ": must be >= 0, got " + n);
            }
            return IntDistribution.of(n);
        }
        if (v.isObject()) {
            String type = text(v, "type", at + ".type", "normal").toLowerCase(Locale.ROOT);
            if (type.equals("lognormal")) {
                return logNormal(v, at);
            }
            if (!type.equals("normal")) {
                throw new ConfigException(at + ".type: expected normal or lognormal, got \"" + type + "\"");
            }
            double mean = number(v, "mean", at + ".mean", Double.NaN);
            if (Double.isNaN(mean)) {
                throw new ConfigException(at + ".mean: missing");
            }
            double std = number(v, "std_dev", at + ".std_dev", 0);
            int min = integer(v, "min", at + ".min", 1);
            int max = integer(v, "max", at + ".max", Integer.MAX_VALUE);
            try {
                return new IntDistribution.Normal(mean, std, min, max);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(at + ": " + e.getMessage());
            }
        }
        throw new ConfigException(at + ": expected an integer, {mean, std_dev, min, max} or "
                + "{type: lognormal, median, sigma, min, max}, got " + v);
    }

    private static IntDistribution logNormal(JsonNode v, String at) {
        double median = number(v, "median", at + ".median", Double.NaN);
        if (Double.isNaN(median)) {
            throw new ConfigException(at + ".median: missing (lognormal needs median and sigma)");
        }
        double sigma = number(v, "sigma", at + ".sigma", Double.NaN);
        if (Double.isNaN(sigma)) {
            throw new ConfigException(at + ".sigma: missing (the standard deviation of the logarithm)");
        }
        int min = integer(v, "min", at + ".min", 1);
        int max = integer(v, "max", at + ".max", Integer.MAX_VALUE);
        try {
            return new IntDistribution.LogNormal(median, sigma, min, max);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(at + ": " + e.getMessage());
        }
    }

    static String text(JsonNode node, String field, String where, String dflt) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isValueNode()) {
            throw new ConfigException(where + ": expected a string, got " + v);
        }
        return v.asText();
    }

    static boolean bool(JsonNode node, String field, String where, boolean dflt) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new ConfigException(where + ": expected true or false, got " + v);
        }
        return v.asBoolean();
    }

    static int integer(JsonNode node, String field, String where, int dflt) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ConfigException(where + ": expected an integer, got " + v);
        }
        return v.asInt();
    }

    static double number(JsonNode node, String field, String where, double dflt) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new ConfigException(where + ": expected a number, got " + v);
        }
        return v.asDouble();
    }
}
