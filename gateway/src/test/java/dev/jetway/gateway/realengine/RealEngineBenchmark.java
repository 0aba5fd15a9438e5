package dev.jetway.gateway.realengine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.gateway.http.GatewayServer;
import dev.jetway.gateway.proxy.ProxyExchange;
import dev.jetway.sim.llamacpp.GgufRandomModel;
import dev.jetway.sim.llamacpp.LlamaServerBuild;
import dev.jetway.sim.llamacpp.LlamaServerReplica;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * A small load driver for two real llama-server replicas (scripts/real-engine-bench runs it; docs/performance.md,
 * "Real engine (llama.cpp)", has the results). Per mode it starts two fresh replicas (cold caches), sends one seeded
 * workload with Poisson arrivals over streaming completions, and reports TTFT (first token chunk at the client)
 * mean / p50 / p90, and the engines' own prefix hit rate (cached over all prompt tokens, from their metrics). Modes:
 * a gateway policy ({@code jetway}, {@code round-robin}, {@code approximate}, ...: the real gateway in front), or
 * {@code affinity}: no gateway, the client sends every request of group g straight to replica g mod 2 (perfect
 * client-side affinity). Workloads:
 * <ul>
 *   <li>{@code shared}: G groups of a long shared prefix, P requests each (a distinct question), shuffled.</li>
 *   <li>{@code skewed}: N requests, a fraction {@code hot} of them from group 0, the rest spread over the others.</li>
 * </ul>
 */
public final class RealEngineBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Planned(int group, String prompt, long offsetNanos) {
    }

    /** One request as the client saw it; {@code cached}: its prompt was served from the engine's cache (≥ half). */
    record Outcome(int group, String target, double ttftSeconds, double e2eSeconds, String error, boolean cached,
                   double sentSeconds, String decision) {
    }

    private final Map<String, String> opts;

    private RealEngineBenchmark(Map<String, String> opts) {
        this.opts = opts;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: RealEngineBenchmark shared|skewed [--modes jetway,affinity,round-robin] "
                    + "[--tokenizer T] [--rate R] [--groups G] [--per-group P] [--requests N] [--hot F] [--prefix-words W] "
                    + "[--question-words Q] [--output T] [--seed S] [--model tiny|small] [--slots N] "
                    + "[--cache-ram MiB] [--json FILE]");
            System.exit(2);
        }
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("workload", args[0]);
        for (int i = 1; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        new RealEngineBenchmark(opts).run();
        System.exit(0);
    }

    private String opt(String key, String fallback) {
        return opts.getOrDefault(key, fallback);
    }

    private void run() throws Exception {
        boolean sim = opt("target", "llama").equals("sim");
        LlamaServerBuild build = sim ? null : LlamaServerBuild.find().orElseThrow(
                () -> new IllegalStateException(LlamaServerBuild.missingMessage()));
        GgufRandomModel.Shape shape = GgufRandomModel.Shape.named(opt("model", "small"));
        Path model = sim ? null : build.model(shape);
        List<Planned> plan = plan();
        ObjectNode report = JSON.createObjectNode();
        report.set("options", JSON.valueToTree(opts));
        report.put("requests", plan.size());
        ArrayNode modes = report.putArray("modes");
        System.out.printf("%s: %d requests, %s, modes %s%n", opt("workload", ""), plan.size(),
                sim ? "jetway sim, profile " + opt("profile", "llama-cpp-small-1t") : "llama-server, model " + shape.name(),
                opt("modes", "jetway,affinity,round-robin"));
        System.out.println("| mode | TTFT mean (s) | p50 | p90 | max | hit rate | TTFT cold / cached mean (s) | errors "
                + "| per replica |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        // rounds interleave the modes, so a noisy neighbour's burst spreads over all of them; medians are reported
        int rounds = Integer.parseInt(opt("rounds", "1"));
        Map<String, List<ObjectNode>> byMode = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (String mode : opt("modes", "jetway,affinity,round-robin").split(",")) {
                ObjectNode row = runMode(mode, build, model, plan).put("round", round);
                modes.add(row);
                byMode.computeIfAbsent(mode, k -> new ArrayList<>()).add(row);
                System.out.printf("| %s (round %d) | %.3f | %.3f | %.3f | %.3f | %.1f%% | %.2f / %.3f | %d | %s |%n",
                        mode, round, row.path("ttft_mean_s").asDouble(), row.path("ttft_p50_s").asDouble(),
                        row.path("ttft_p90_s").asDouble(), row.path("ttft_max_s").asDouble(),
                        100 * row.path("hit_rate").asDouble(), row.path("ttft_cold_mean_s").asDouble(),
                        row.path("ttft_cached_mean_s").asDouble(), row.path("errors").asInt(),
                        row.path("per_replica").toString());
            }
        }
        if (rounds > 1) {
            System.out.println();
            System.out.println("| mode | median of " + rounds + " rounds: TTFT mean (s) | TTFT p90 (s) | hit rate |");
            System.out.println("|---|---:|---:|---:|");
            ObjectNode medians = report.putObject("medians");
            byMode.forEach((mode, rows) -> {
                double mean = median(rows, "ttft_mean_s");
                double p90 = median(rows, "ttft_p90_s");
                double hit = median(rows, "hit_rate");
                medians.putObject(mode).put("ttft_mean_s", mean).put("ttft_p90_s", p90).put("hit_rate", hit);
                System.out.printf("| %s | %.3f | %.3f | %.1f%% |%n", mode, mean, p90, 100 * hit);
            });
        }
        if (opts.containsKey("json")) {
            Files.writeString(Path.of(opts.get("json")), JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(report));
        }
    }

    private static double median(List<ObjectNode> rows, String field) {
        double[] v = rows.stream().mapToDouble(r -> r.path(field).asDouble()).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private List<Planned> plan() {
        long seed = Long.parseLong(opt("seed", "42"));
        int groups = Integer.parseInt(opt("groups", "4"));
        int prefixWords = Integer.parseInt(opt("prefix-words", "1200"));
        int questionWords = Integer.parseInt(opt("question-words", "40"));
        double rate = Double.parseDouble(opt("rate", "1.0"));
        SplittableRandom random = new SplittableRandom(seed);
        List<Integer> order = new ArrayList<>();
        if (opt("workload", "").equals("shared")) {
            int perGroup = Integer.parseInt(opt("per-group", "12"));
            for (int g = 0; g < groups; g++) {
                for (int p = 0; p < perGroup; p++) {
                    order.add(g);
                }
            }
            Collections.shuffle(order, new java.util.Random(seed));
        } else if (opt("workload", "").equals("skewed")) {
            int n = Integer.parseInt(opt("requests", "48"));
            double hot = Double.parseDouble(opt("hot", "0.75"));
            for (int i = 0; i < n; i++) {
                order.add(random.nextDouble() < hot ? 0 : 1 + random.nextInt(groups - 1));
            }
        } else {
            throw new IllegalArgumentException("workload must be shared or skewed, got " + opt("workload", ""));
        }
        List<Planned> plan = new ArrayList<>();
        double t = 0;
        for (int i = 0; i < order.size(); i++) {
            int g = order.get(i);
            // question i starts with its own number: requests of a group share exactly the prefix
            String prompt = RealEngine.prompt(1_000 + g, prefixWords) + " " + i + " "
                    + RealEngine.prompt(1_000_000L * (g + 1) + i, questionWords);
            plan.add(new Planned(g, prompt, (long) (t * 1e9)));
            t += -Math.log(1 - random.nextDouble()) / rate;
        }
        return plan;
    }

    /** The replicas of one mode: real llama-server processes, or {@code jetway sim} ones (--target sim). */
    private interface Replicas extends AutoCloseable {
        List<String> addresses();

        /** Σ uncached prompt tokens, Σ cached prompt tokens, from the engines' own metrics. */
        double[] counters() throws Exception;

        @Override
        void close();
    }

    private Replicas startReplicas(LlamaServerBuild build, Path model) throws Exception {
        if (opt("target", "llama").equals("sim")) {
            dev.jetway.sim.SimCluster sim = dev.jetway.sim.SimCluster.start(dev.jetway.sim.SimOptions.defaults("bench")
                    .withBindHost("127.0.0.1").withAdvertiseHost("127.0.0.1").withPort(0)
                    .withProfile(opt("profile", "llama-cpp-small-1t"))
                    .withMaxNumSeqs(Integer.parseInt(opt("slots", "2"))), 2);
            return new Replicas() {
                public List<String> addresses() {
                    return sim.replicas().stream().map(r -> "127.0.0.1:" + r.httpPort()).toList();
                }

                public double[] counters() throws Exception {
                    double[] c = new double[2];
                    for (String a : addresses()) {
                        String page = RealEngine.HTTP.send(HttpRequest.newBuilder(URI.create("http://" + a + "/metrics"))
                                .build(), HttpResponse.BodyHandlers.ofString()).body();
                        double queries = value(page, "vllm:prefix_cache_queries_total");
                        double hits = value(page, "vllm:prefix_cache_hits_total");
                        c[0] += queries - hits;
                        c[1] += hits;
                    }
                    return c;
                }

                public void close() {
                    sim.close();
                }
            };
        }
        LlamaServerReplica.Settings settings = new LlamaServerReplica.Settings("bench",
                Integer.parseInt(opt("context", "8192")), Integer.parseInt(opt("slots", "2")), 1,
                Integer.parseInt(opt("cache-ram", "0")));
        List<LlamaServerReplica> replicas = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                replicas.add(LlamaServerReplica.start(build, model, settings));
            }
        } catch (Exception e) {
            replicas.forEach(LlamaServerReplica::close);
            throw e;
        }
        return new Replicas() {
            public List<String> addresses() {
                return replicas.stream().map(LlamaServerReplica::address).toList();
            }

            public double[] counters() throws Exception {
                return engineCounters(replicas);
            }

            public void close() {
                replicas.forEach(LlamaServerReplica::close);
            }
        };
    }

    private static double value(String page, String name) {
        for (String line : page.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    private ObjectNode runMode(String mode, LlamaServerBuild build, Path model, List<Planned> plan) throws Exception {
        GatewayServer gateway = null;
        try (Replicas replicas = startReplicas(build, model)) {
            try {
                if (!mode.equals("affinity")) {
                    gateway = GatewayServer.start(ConfigLoader.parse(yaml(mode, replicas.addresses(),
                            opt("target", "llama").equals("sim") ? "vllm" : "llama.cpp", opt("tokenizer", "")),
                            "bench"));
                    awaitScraped(gateway);
                }
                double[] before = replicas.counters();
                List<Outcome> outcomes = send(gateway, replicas.addresses(), plan);
                double[] after = replicas.counters();
                return summarise(mode, outcomes, before, after);
            } finally {
                if (gateway != null) {
                    gateway.close();
                }
            }
        }
    }

    /** @param tokenizer the pool's {@code tokenizer}, or empty for the default */
    private static String yaml(String policy, List<String> addresses, String engine, String tokenizer) {
        // no latency-predicted first-byte deadline: under a queue that grows faster than the model learns, it cut
        // requests with 504 (docs/performance.md, "Real engine (llama.cpp)"); every mode gets the same 300 s bound
        return "server: {port: 0, adminPort: -1, host: 127.0.0.1, debugHeader: true}\n"
                + "upstream: {firstByteTimeoutMargin: 0}\n"
                + "pools:\n  - name: bench\n    models: [bench]\n    engine: " + engine + "\n"
                + "    endpointPicker: " + policy + "\n"
                + (tokenizer.isEmpty() ? "" : "    tokenizer: " + tokenizer + "\n")
                + "    endpoints:\n" + addresses.stream().map(a -> "      - {address: \"" + a + "\"}")
                .collect(Collectors.joining("\n")) + "\n";
    }

    private static void awaitScraped(GatewayServer gateway) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (gateway.routing().table().pools().getFirst().endpoints().stream().allMatch(
                    (GatewayEndpoint e) -> e.health().scraped() && e.endpoint().metrics().cacheNumBlocks() > 0)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the gateway never scraped both replicas");
    }

    private List<Outcome> send(GatewayServer gateway, List<String> replicas, List<Planned> plan) throws Exception {
        int output = Integer.parseInt(opt("output", "32"));
        List<Outcome> out = Collections.synchronizedList(new ArrayList<>());
        try (var executor = Executors.newVirtualThreadPerTaskExecutor();
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .executor(executor).connectTimeout(Duration.ofSeconds(5)).build()) {
            long start = System.nanoTime();
            List<Future<?>> futures = new ArrayList<>();
            for (Planned p : plan) {
                String base = gateway != null ? "http://127.0.0.1:" + gateway.port()
                        : "http://" + replicas.get(p.group() % replicas.size());
                futures.add(executor.submit(() -> {
                    long wait = start + p.offsetNanos() - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    out.add(one(http, base, p, output, (System.nanoTime() - start) / 1e9));
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        return out;
    }

    private static Outcome one(HttpClient http, String base, Planned p, int output, double sentSeconds) {
        long sent = System.nanoTime();
        try {
            HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                    .timeout(Duration.ofSeconds(600)).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(RealEngine.completion(p.prompt(), output, true)
                            .replace("\"model\":\"" + RealEngine.MODEL + "\"", "\"model\":\"bench\"")))
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            String target = r.headers().firstValue(ProxyExchange.ENDPOINT_HEADER).orElse(base.substring(7));
            String decision = r.headers().firstValue(ProxyExchange.DECISION_HEADER).orElse("");
            if (r.statusCode() != 200) {
                return new Outcome(p.group(), target, Double.NaN, Double.NaN, "HTTP " + r.statusCode(), false,
                        sentSeconds, decision);
            }
            double ttft = Double.NaN;
            boolean done = false;
            boolean cached = false;
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (!line.startsWith("data: ")) {
                        continue;
                    }
                    String data = line.substring(6);
                    if (data.equals("[DONE]")) {
                        done = true;
                        break;
                    }
                    JsonNode chunk = JSON.readTree(data);
                    if (Double.isNaN(ttft) && chunk.path("choices").size() > 0) {
                        ttft = (System.nanoTime() - sent) / 1e9;
                    }
                    JsonNode usage = chunk.path("usage");
                    if (usage.isObject()) {
                        cached = usage.path("prompt_tokens_details").path("cached_tokens").asInt(0) * 2
                                >= usage.path("prompt_tokens").asInt(Integer.MAX_VALUE);
                    }
                }
            }
            return new Outcome(p.group(), target, ttft, (System.nanoTime() - sent) / 1e9,
                    done ? null : "stream ended without [DONE]", cached, sentSeconds, decision);
        } catch (Exception e) {
            return new Outcome(p.group(), base, Double.NaN, Double.NaN, e.toString(), false, sentSeconds, "");
        }
    }

    /** Σ over replicas of llamacpp:prompt_tokens_total and llamacpp:prompt_tokens_cached_total. */
    private static double[] engineCounters(List<LlamaServerReplica> replicas) throws Exception {
        double[] c = new double[2];
        for (LlamaServerReplica r : replicas) {
            c[0] += RealEngine.metric(r, "prompt_tokens_total");
            c[1] += RealEngine.metric(r, "prompt_tokens_cached_total");
        }
        return c;
    }

    private static ObjectNode summarise(String mode, List<Outcome> outcomes, double[] before, double[] after) {
        double[] ttft = outcomes.stream().filter(o -> o.error() == null).mapToDouble(Outcome::ttftSeconds)
                .filter(x -> !Double.isNaN(x)).sorted().toArray();
        double uncached = after[0] - before[0];
        double cached = after[1] - before[1];
        ObjectNode row = JSON.createObjectNode().put("mode", mode)
                .put("ttft_mean_s", Arrays.stream(ttft).average().orElse(Double.NaN))
                .put("ttft_p50_s", percentile(ttft, 0.5)).put("ttft_p90_s", percentile(ttft, 0.9))
                .put("ttft_max_s", ttft.length == 0 ? Double.NaN : ttft[ttft.length - 1])
                .put("e2e_mean_s", outcomes.stream().filter(o -> o.error() == null)
                        .mapToDouble(Outcome::e2eSeconds).average().orElse(Double.NaN))
                .put("hit_rate", cached + uncached == 0 ? 0 : cached / (cached + uncached))
                .put("errors", (int) outcomes.stream().filter(o -> o.error() != null).count())
                .put("cold_requests", outcomes.stream().filter(o -> o.error() == null && !o.cached()).count())
                .put("ttft_cold_mean_s", outcomes.stream().filter(o -> o.error() == null && !o.cached())
                        .mapToDouble(Outcome::ttftSeconds).average().orElse(Double.NaN))
                .put("ttft_cached_mean_s", outcomes.stream().filter(o -> o.error() == null && o.cached())
                        .mapToDouble(Outcome::ttftSeconds).average().orElse(Double.NaN));
        Map<String, Long> perReplica = new ConcurrentHashMap<>(outcomes.stream()
                .collect(Collectors.groupingBy(Outcome::target, Collectors.counting())));
        row.set("per_replica", JSON.valueToTree(new java.util.TreeMap<>(perReplica)));
        outcomes.stream().filter(o -> o.error() != null).findFirst()
                .ifPresent(o -> row.put("first_error", o.error()));
        ObjectNode placement = row.putObject("placement_by_group");
        outcomes.stream().collect(Collectors.groupingBy(Outcome::group, java.util.TreeMap::new,
                        Collectors.groupingBy(Outcome::target, java.util.TreeMap::new, Collectors.counting())))
                .forEach((g, byTarget) -> placement.set(Integer.toString(g), JSON.valueToTree(byTarget)));
        // every request in the order sent: where each went and how it fared, to read placements as they happened
        ArrayNode timeline = row.putArray("timeline");
        outcomes.stream().sorted(java.util.Comparator.comparingDouble(Outcome::sentSeconds)).forEach(o -> timeline
                .addObject().put("sent_s", Math.round(o.sentSeconds() * 1e3) / 1e3).put("group", o.group())
                .put("target", o.target()).put("ttft_s", Math.round(o.ttftSeconds() * 1e3) / 1e3)
                .put("cached", o.cached()).put("decision", o.decision()));
        ArrayNode byGroup = row.putArray("ttft_mean_by_group_s");
        int groups = outcomes.stream().mapToInt(Outcome::group).max().orElse(-1) + 1;
        for (int g = 0; g < groups; g++) {
            final int group = g;
            byGroup.add(outcomes.stream().filter(o -> o.group() == group && o.error() == null)
                    .mapToDouble(Outcome::ttftSeconds).average().orElse(Double.NaN));
        }
        return row;
    }

    private static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.clamp(i, 0, sorted.length - 1)];
    }
}
