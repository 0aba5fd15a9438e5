package dev.jetway.cli;

import dev.jetway.bench.config.BenchConfig;
import dev.jetway.bench.config.BenchConfigLoader;
import dev.jetway.bench.config.ClusterSpec;
import dev.jetway.bench.load.LoadProfile;
import dev.jetway.bench.load.LoadStage;
import dev.jetway.bench.load.RequestPlan;
import dev.jetway.bench.load.StageTransition;
import dev.jetway.bench.metrics.Cost;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.Slo;
import dev.jetway.bench.report.BenchReport;
import dev.jetway.bench.report.MarkdownReport;
import dev.jetway.bench.report.ProgressBar;
import dev.jetway.bench.sim.SimPolicy;
import dev.jetway.bench.sim.ClientSide;
import dev.jetway.bench.sim.ClusterLayout;
import dev.jetway.bench.sim.Gateways;
import dev.jetway.bench.sim.LatencyTraceWriter;
import dev.jetway.bench.sim.PeerExchange;
import dev.jetway.bench.sim.PoolReports;
import dev.jetway.bench.sim.RequestPath;
import dev.jetway.bench.sim.SimulationOptions;
import dev.jetway.bench.sim.WhatIfSimulator;
import dev.jetway.engine.EngineConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "simulate", mixinStandardHelpOptions = true, versionProvider = JetwayVersion.class,
        description = "What-if simulation in virtual time: compare routing policies, replica counts and P/D splits on the same requests.",
        footer = {"", "Example: jetway simulate llm-d-57x.yaml --policies approximate,random,load --json out.json --html out.html",
                "P/D:     jetway simulate docs/workloads/pd-guide-45qps.yaml --pd 8P2D --policies docs/workloads/pd-llmd-guide.yaml --baseline random"})
final class SimulateCommand implements Callable<Integer> {

    @Mixin
    LogOptions log;

    @Mixin
    ReportOptions reportOptions;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "WORKLOAD.yaml", description = "Workload file (inference-perf format; see docs/benchmarking.md).")
    Path workload;

    @Option(names = "--policies", split = ",", paramLabel = "POLICY",
            description = "Built-in policy names (precise, approximate, ...) or EndpointPickerConfig files, comma separated (default: jetway,approximate,load,random).")
    List<String> policies = List.of("jetway", "approximate", "load", "random");

    @Option(names = "--replicas", split = ",", paramLabel = "N",
            description = "Engine replicas (default: the workload's cluster.replicas, else 4); several (e.g. 4,8,12) compare cluster sizes, each policy reported as policy@N.")
    List<Integer> replicas;

    @Option(names = "--profile", paramLabel = "NAME|NAME:N,...",
            description = "Engine profile (default: the workload's cluster.profile or cluster.groups, else qwen3-32b-h100-tp2); "
                    + "PROFILE:REPLICAS,... for a heterogeneous pool, e.g. qwen3-32b-h100-tp2:4,qwen3-32b-a100-tp2:4 (replaces --replicas).")
    String profile;

    @Option(names = "--pd", split = ",", paramLabel = "xPyD",
            description = "Simulate P/D pools instead: x prefill and y decode replicas each, e.g. 8P2D or 2P6D,4P4D,6P2D (default: the workload's cluster.pd.split). Every --policies entry must have a disagg-profile-handler; reported as policy@xPyD.")
    List<String> pd;

    @Option(names = "--prefill-profile", paramLabel = "NAME",
            description = "Engine profile of the P/D pools' prefill replicas (default: cluster.pd.prefillProfile, else --profile / cluster.profile).")
    String prefillProfile;

    @Option(names = "--decode-profile", paramLabel = "NAME",
            description = "Engine profile of the P/D pools' decode replicas (default: cluster.pd.decodeProfile, else --profile / cluster.profile).")
    String decodeProfile;

    @Option(names = "--baseline", split = ",", paramLabel = "POLICY",
            description = "With --pd: also run these policies on an aggregated pool of --profile (default: cluster.profile, else the prefill profile) with as many GPUs as each split (or --replicas), reported as policy@N, and compare them side by side.")
    List<String> baseline;

    @Option(names = "--block-size", description = "KV block size in tokens (default: cluster.blockSize, else 16).")
    Integer blockSize;

    @Option(names = "--max-num-batched-tokens", description = "Per-step token budget (default: cluster.maxNumBatchedTokens, else 8192).")
    Integer maxNumBatchedTokens;

    @Option(names = "--kv-cache-tokens", description = "KV capacity per replica in tokens (default: cluster.kvCacheTokensPerReplica, else the profile's).")
    Long kvCacheTokens;

    @Option(names = "--scrape-interval-ms", defaultValue = "50", description = "Metrics scrape interval the scheduler sees (default: ${DEFAULT-VALUE}).")
    double scrapeIntervalMs;

    @Option(names = "--kv-event-delay-ms", defaultValue = "10", description = "Delay of KV events to a KV-event-driven index (default: ${DEFAULT-VALUE}).")
    double kvEventDelayMs;

    @Option(names = "--gateway-latency-ms", defaultValue = "0",
            description = "Time from the client's send to the routing decision (connect, sending the body, the gateway's buffering), counted in TTFT and E2E (default: ${DEFAULT-VALUE}).")
    double gatewayLatencyMs;

    @Option(names = "--server-latency-ms", defaultValue = "0",
            description = "Time from the routing decision to the request entering the engine's queue (forwarding, the model server's parsing and tokenization); the picker does not see the request in the replica's metrics meanwhile (default: ${DEFAULT-VALUE}).")
    double serverLatencyMs;

    @Mixin
    ClientLimitOptions clientLimits;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the scheduler and engines (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", defaultValue = "2", description = "Policies simulated in parallel (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--max-requests", defaultValue = "0", description = "Stop the plan after this many requests (0 = all).")
    int maxRequests;

    @Option(names = "--warmup-stages", defaultValue = "0", paramLabel = "N",
            description = "Treat the first N load stages as warm-up: run and reported per stage, left out of the overall summary (as llm-d's reports leave out their first, warm-up stage).")
    int warmupStages;

    @Option(names = "--no-drain", description = "Run the stages back to back on the clock, a stage's backlog carrying into the next, instead of inference-perf's behaviour (each stage waits for its requests to finish, then load.interval).")
    boolean noDrain;

    @Option(names = "--gpu-hour-cost", description = "Cost of one GPU-hour, for output tokens per dollar.")
    Double gpuHourCost;

    @Option(names = "--gateways", defaultValue = "1", paramLabel = "N",
            description = "Gateway replicas routing the traffic (active-active), each with its own scheduler and in-flight counts; with 2 or more every policy also runs with one gateway (policy@1gw) and policy@Ngw reports how many decisions matched (default: ${DEFAULT-VALUE}).")
    int gateways;

    @Option(names = "--kill-gateway-at", paramLabel = "SECONDS",
            description = "With --gateways: one gateway stops at this virtual second; its requests run on, its routing state is lost, the others take all traffic.")
    Double killGatewayAt;

    @Option(names = "--gateway-spread", defaultValue = "random", paramLabel = "random|round-robin",
            description = "How requests are spread over the gateways: random (kube-proxy iptables) or round-robin (IPVS) (default: ${DEFAULT-VALUE}).")
    String gatewaySpread;

    @Option(names = "--peer-sync-ms", defaultValue = "0", paramLabel = "MS",
            description = "With --gateways: the gateways exchange routing digests (routing history and in-flight counts) every MS milliseconds, as the gateway's peers setting does; 0 = they share nothing (default: ${DEFAULT-VALUE}).")
    double peerSyncMs;

    @Option(names = "--peer-delay-ms", defaultValue = "5", paramLabel = "MS",
            description = "With --peer-sync-ms: time from sending a digest to the peer applying it (default: ${DEFAULT-VALUE}).")
    double peerDelayMs;

    @Option(names = "--peer-timeout-ms", defaultValue = "1000", paramLabel = "MS",
            description = "With --peer-sync-ms: a peer silent for this long is forgotten (its in-flight counts leave the load view) (default: ${DEFAULT-VALUE}).")
    double peerTimeoutMs;

    @Option(names = "--latency-trace", paramLabel = "FILE",
            description = "Write every observation the policies' latency models learn from (features, observed and predicted latency) to this CSV file, for studying the model offline.")
    Path latencyTrace;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        try {
            BenchConfig config = BenchConfigLoader.load(workload);
            ClusterSpec cluster = config.cluster();
            if (replicas != null && replicas.stream().anyMatch(c -> c < 1)) {
                err.println("jetway simulate: --replicas must be positive");
                return 2;
            }
            SimulatedPdPools.Flags pdFlags = new SimulatedPdPools.Flags(pd, prefillProfile, decodeProfile, profile,
                    replicas, blockSize, maxNumBatchedTokens, kvCacheTokens);
            boolean pdRun = SimulatedPdPools.requested(pdFlags, cluster);
            if (!pdRun && (baseline != null || prefillProfile != null || decodeProfile != null)) {
                err.println("jetway simulate: --baseline, --prefill-profile and --decode-profile apply to P/D runs "
                        + "(--pd, or the workload's cluster.pd)");
                return 2;
            }
            SimulatedPdPools pools = pdRun ? SimulatedPdPools.resolve(pdFlags, cluster) : null;
            SimulatedCluster clusters = pdRun ? null : SimulatedCluster.resolve(new SimulatedCluster.Flags(profile,
                    replicas, blockSize, maxNumBatchedTokens, kvCacheTokens), cluster);
            List<ClusterLayout> layouts = pdRun ? pools.splits() : clusters.layouts();
            EngineConfig engine = layouts.getFirst().engine(0);
            String profileName = pdRun ? pdLabel(pools, baseline != null) : clusters.profileLabel();
            int bs = engine.blockSize();
            int budget = engine.maxNumBatchedTokens();
            if (threads < 1 || scrapeIntervalMs <= 0 || kvEventDelayMs < 0
                    || gatewayLatencyMs < 0 || serverLatencyMs < 0
                    || (clientLimits.timeout != null && !(clientLimits.timeout > 0))
                    || (clientLimits.maxConcurrency != null && clientLimits.maxConcurrency < 0)) {
                err.println("jetway simulate: --replicas, --threads and --scrape-interval-ms must be positive; "
                        + "--kv-event-delay-ms, --gateway-latency-ms and --server-latency-ms must be >= 0; --timeout must be > 0; --max-concurrency >= 0");
                return 2;
            }
            Gateways fleet = gateways(pdRun);
            Slo slo = reportOptions.slo();
            String model = config.modelName() != null ? config.modelName() : engine.profile().model().huggingFaceName();
            List<SimPolicy> sims = new ArrayList<>();
            LatencyTraceWriter trace = latencyTrace == null ? null : new LatencyTraceWriter(latencyTrace);
            for (String p : policies) {
                SimPolicy sim = SimPolicy.of(p.strip());
                if (pdRun && !sim.disaggregates()) {
                    throw new IllegalArgumentException("--pd: policy '" + sim.name() + "' has no disagg-profile-handler, "
                            + "so it cannot route a split pool (its prefill replicas would serve whole requests); give "
                            + "P/D policies (e.g. docs/workloads/pd-llmd-guide.yaml) and compare with an aggregated "
                            + "pool through --baseline " + p.strip());
                }
                sims.add(trace == null ? sim : trace.wrap(sim));
            }
            List<SimPolicy> baselineSims = new ArrayList<>();
            for (String p : baseline == null ? List.<String>of() : baseline) {
                SimPolicy sim = SimPolicy.of(p.strip());
                baselineSims.add(trace == null ? sim : trace.wrap(sim));
            }
            if (warmupStages < 0 || warmupStages >= config.load().stages().size()) {
                err.println("jetway simulate: --warmup-stages must leave at least one measured stage (0 to "
                        + (config.load().stages().size() - 1) + ")");
                return 2;
            }
            LoadProfile load = config.load();
            if (warmupStages > 0) {
                List<LoadStage> stages = new ArrayList<>();
                for (int i = 0; i < load.stages().size(); i++) {
                    LoadStage st = load.stages().get(i);
                    stages.add(new LoadStage(st.rate(), st.durationSeconds(), st.warmup() || i < warmupStages));
                }
                load = new LoadProfile(load.type(), stages, load.maxConcurrency(), load.requestTimeoutSeconds(),
                        load.seed(), load.transition());
            }
            if (noDrain) {
                load = load.withTransition(StageTransition.CONTINUOUS);
            }
            double timeoutSeconds = clientLimits.timeoutSeconds(load);
            int cap = clientLimits.maxConcurrency(load);
            ClientSide client = new ClientSide(
                    new RequestPath(Math.round(gatewayLatencyMs * 1e6), Math.round(serverLatencyMs * 1e6)),
                    Math.round(timeoutSeconds * 1e9), cap);
            RequestPlan plan = RequestPlan.build(config.workload(), load, maxRequests, config.traffic());
            if (pdRun) {
                err.printf("jetway simulate: %d requests, %d P/D policies on %s%s (block %d)%n",
                        plan.requests().size(), sims.size(),
                        String.join("; ", pools.splits().stream().map(SimulatedPdPools::describe).toList()),
                        baselineSims.isEmpty() ? "" : "; " + baselineSims.size() + " baseline policies on "
                                + String.join("; ", pools.baselines().stream().map(SimulatedPdPools::describe).toList()),
                        bs);
            } else if (clusters.grouped()) {
                err.printf("jetway simulate: %d requests, %d policies, %s (block %d)%n", plan.requests().size(),
                        sims.size(), describeGroups(layouts.getFirst()), bs);
            } else {
                err.printf("jetway simulate: %d requests, %d policies, %s x %s (block %d, KV %d tokens each)%n",
                        plan.requests().size(), sims.size(), layouts.stream().map(ClusterLayout::replicas).toList(),
                        profileName, bs, engine.kvCapacityInTokens());
            }
            err.flush();
            ProgressBar bar = new ProgressBar(System.err, System.console() != null);
            long started = System.nanoTime();
            List<PolicyReport> reports = new ArrayList<>();
            List<ClusterLayout> runs = new ArrayList<>(layouts);
            if (pdRun && !baselineSims.isEmpty()) {
                runs.addAll(pools.baselines());
            }
            for (ClusterLayout layout : runs) {
                Cost cost = gpuHourCost != null ? new Cost(gpuHourCost, layout.gpus()) : null;
                SimulationOptions options = new SimulationOptions(layout, model, config.ignoreEos(),
                        Math.round(scrapeIntervalMs * 1e6), Math.round(kvEventDelayMs * 1e6), seed, slo, cost, client)
                        .withGateways(fleet);
                // a P/D run always names the pool: its rows are compared across pools
                String suffix = pdRun ? "@" + layout.label() : layouts.size() > 1 ? "@" + layout.replicas() : "";
                WhatIfSimulator.Progress progress = reportOptions.noProgress || log.quiet ? WhatIfSimulator.Progress.NONE
                        : (name, virtual, done, total) -> bar.update(name + suffix, done, total);
                List<SimPolicy> runPolicies = pdRun && !layout.disaggregated() ? baselineSims : sims;
                for (PolicyReport r : new WhatIfSimulator(options).run(plan, runPolicies, threads, progress)) {
                    if (pdRun && r.pool() == null) {
                        r = PoolReports.attach(r, layout, null);
                    }
                    reports.add(suffix.isEmpty() ? r : r.named(r.policy() + suffix));
                }
            }
            bar.done();
            if (trace != null) {
                trace.close();
            }
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("workload_file", ReportedPath.of(workload));
            List<Integer> counts = runs.stream().map(ClusterLayout::replicas).toList();
            settings.put("replicas", counts.size() == 1 ? counts.getFirst() : counts);
            settings.put("profile", profileName);
            settings.put("block_size", bs);
            settings.put("max_num_batched_tokens", budget);
            settings.put("kv_cache_tokens_per_replica", engine.kvCapacityInTokens());
            if (pdRun) {
                settings.put("pools", runs.stream().map(SimulateCommand::poolSettings).toList());
                settings.put("baseline_policies", baseline);
            } else if (clusters.grouped()) {
                settings.put("groups", groupSettings(layouts.getFirst()));
            }
            settings.put("scrape_interval_ms", scrapeIntervalMs);
            settings.put("kv_event_delay_ms", kvEventDelayMs);
            settings.put("gateway_latency_ms", gatewayLatencyMs);
            settings.put("server_latency_ms", serverLatencyMs);
            settings.put("request_timeout_s", timeoutSeconds);
            settings.put("max_concurrency", cap);
            if (fleet.several()) {
                settings.put("gateways", fleet.count());
                settings.put("kill_gateway_at_s", killGatewayAt);
                settings.put("gateway_spread", gatewaySpread);
                settings.put("peer_sync_ms", peerSyncMs);
                settings.put("peer_delay_ms", fleet.exchange() == null ? null : peerDelayMs);
                settings.put("peer_timeout_ms", fleet.exchange() == null ? null : peerTimeoutMs);
            }
            settings.put("seed", seed);
            settings.put("requests", plan.requests().size());
            TrafficSettings.put(config.traffic(), settings);
            settings.put("stages_drain", load.transition().drain());
            settings.put("stage_interval_s", load.transition().intervalSeconds());
            settings.put("warmup_stages", (int) load.stages().stream().filter(LoadStage::warmup).count());
            reportOptions.putSlo(settings);
            settings.put("gpu_hour_cost", gpuHourCost);
            settings.put("gpus_per_replica", pdRun || clusters.grouped() ? null : engine.profile().hardware().gpus());
            JetwayVersion.stamp(settings);
            BenchReport report = new BenchReport(BenchReport.SCHEMA_VERSION, "simulate",
                    config.workload().type() + " (" + workload.getFileName() + ")", settings, reports, config.published());
            // the table first: a report file that cannot be written must not cost the results on stdout
            PrintWriter out = spec.commandLine().getOut();
            out.print(MarkdownReport.render(report));
            out.flush();
            boolean written = reportOptions.write(report, err, "jetway simulate");
            err.printf("jetway simulate: done in %.1f s of wall time%n", (System.nanoTime() - started) / 1e9);
            err.flush();
            return written ? 0 : 1;
        } catch (IllegalArgumentException e) {
            err.println("jetway simulate: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    /** The gateway replicas the flags ask for ({@link Gateways#SINGLE} without {@code --gateways}). */
    private Gateways gateways(boolean pdRun) {
        if (gateways == 1 && (killGatewayAt != null || peerSyncMs != 0)) {
            throw new IllegalArgumentException("--kill-gateway-at and --peer-sync-ms need --gateways 2 or more");
        }
        if (gateways == 1) {
            return Gateways.SINGLE;
        }
        if (pdRun) {
            throw new IllegalArgumentException("--gateways: P/D pools with several gateways are not simulated yet");
        }
        if ((killGatewayAt != null && !(killGatewayAt >= 0)) || peerSyncMs < 0 || peerDelayMs < 0
                || !(peerTimeoutMs > 0)) {
            throw new IllegalArgumentException("--kill-gateway-at, --peer-sync-ms and --peer-delay-ms must be >= 0, "
                    + "--peer-timeout-ms > 0");
        }
        Gateways.Spread spread = switch (gatewaySpread) {
            case "random" -> Gateways.Spread.RANDOM;
            case "round-robin" -> Gateways.Spread.ROUND_ROBIN;
            default -> throw new IllegalArgumentException("--gateway-spread: random or round-robin, not "
                    + gatewaySpread);
        };
        PeerExchange exchange = peerSyncMs == 0 ? null : new PeerExchange(Math.round(peerSyncMs * 1e6),
                Math.round(peerDelayMs * 1e6), Math.round(peerTimeoutMs * 1e6));
        return new Gateways(gateways, killGatewayAt == null ? -1 : Math.round(killGatewayAt * 1e9), spread,
                exchange);
    }

    /** {@code 4 x qwen3-32b-h100-tp2 (KV 307328 tokens) + 4 x ...}, for the log line. */
    private static String describeGroups(ClusterLayout layout) {
        return String.join(" + ", layout.groups().stream().map(g -> g.replicas() + " x " + g.engine().profile().name()
                + " (KV " + g.engine().kvCapacityInTokens() + " tokens)").toList());
    }

    /** {@code 8P2D: a (prefill) + b (decode); 16: c}: the pools of a P/D run, for the report's profile setting. */
    private static String pdLabel(SimulatedPdPools pools, boolean withBaselines) {
        List<String> parts = new ArrayList<>();
        for (ClusterLayout l : pools.splits()) {
            parts.add(l.label() + ": " + l.groups().getFirst().engine().profile().name() + " prefill + "
                    + l.groups().getLast().engine().profile().name() + " decode");
        }
        if (withBaselines) {
            for (ClusterLayout l : pools.baselines()) {
                parts.add(l.label() + ": " + l.engine(0).profile().name());
            }
        }
        return String.join("; ", parts);
    }

    /** One pool of a P/D run: its label, GPUs and groups with their role. */
    private static Map<String, Object> poolSettings(ClusterLayout layout) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layout", layout.label());
        m.put("gpus", layout.gpus());
        List<Map<String, Object>> groups = groupSettings(layout);
        for (int i = 0; i < groups.size(); i++) {
            groups.get(i).put("role", layout.groups().get(i).role().label());
        }
        m.put("groups", groups);
        return m;
    }

    /** Each group's replicas and engine, for the report's settings. */
    private static List<Map<String, Object>> groupSettings(ClusterLayout layout) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ClusterLayout.Group g : layout.groups()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("replicas", g.replicas());
            m.put("profile", g.engine().profile().name());
            m.put("kv_cache_tokens_per_replica", g.engine().kvCapacityInTokens());
            m.put("max_num_batched_tokens", g.engine().maxNumBatchedTokens());
            m.put("gpus_per_replica", g.engine().profile().hardware().gpus());
            out.add(m);
        }
        return out;
    }
}
