package dev.jetway.cli;

import dev.jetway.bench.config.ApiType;
import dev.jetway.bench.config.BenchConfig;
import dev.jetway.bench.config.BenchConfigLoader;
import dev.jetway.bench.live.LiveBenchmark;
import dev.jetway.bench.live.LiveOptions;
import dev.jetway.bench.load.LoadProfile;
import dev.jetway.bench.load.LoadStage;
import dev.jetway.bench.load.RequestPlan;
import dev.jetway.bench.metrics.Cost;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.Slo;
import dev.jetway.bench.report.BenchReport;
import dev.jetway.bench.report.MarkdownReport;
import dev.jetway.bench.report.ProgressBar;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
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

@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = JetwayVersion.class,
        description = "Drive a workload against any OpenAI-compatible URL and report latency and throughput.",
        footer = {"", "Example: jetway bench workload.yaml --url http://127.0.0.1:8080 --model m --json out.json"})
final class BenchCommand implements Callable<Integer> {

    @Mixin
    LogOptions log;

    @Mixin
    ReportOptions reportOptions;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "WORKLOAD.yaml", description = "Workload file (inference-perf format; see docs/benchmarking.md).")
    Path workload;

    @Option(names = "--url", description = "Base URL of the server (default: the workload's server.base_url).")
    String url;

    @Option(names = "--model", description = "Model name to send (default: the workload's server.model_name).")
    String model;

    @Option(names = "--api", description = "completion or chat (default: the workload's api.type).")
    String api;

    @Option(names = "--no-stream", description = "Ask for whole responses instead of SSE streams (TTFT = E2E).")
    boolean noStream;

    @Option(names = "--rate", description = "Replace the workload's stages by one stage at this rate (requests/s); needs --duration.")
    Double rate;

    @Option(names = "--duration", description = "Length of the --rate stage in seconds.")
    Double duration;

    @Mixin
    ClientLimitOptions clientLimits;

    @Option(names = "--max-requests", defaultValue = "0", description = "Stop the plan after this many requests (0 = all).")
    int maxRequests;

    @Option(names = "--header", paramLabel = "NAME=VALUE", description = "Extra request header (repeatable), e.g. Authorization=Bearer x.")
    Map<String, String> headers = new LinkedHashMap<>();

    @Option(names = "--scrape-metrics", split = ",", paramLabel = "URL",
            description = "Replica base URLs whose /metrics (vLLM gauges) to poll for per-replica queue and KV statistics.")
    List<URI> scrapeMetrics = List.of();

    @Option(names = "--scrape-interval-ms", defaultValue = "500", description = "Poll interval of --scrape-metrics (default: ${DEFAULT-VALUE}).")
    long scrapeIntervalMs;

    @Option(names = "--label", description = "Name of this target in the report (default: the URL).")
    String label;

    @Option(names = "--gpu-hour-cost", description = "Cost of one GPU-hour, for output tokens per dollar (with --gpus).")
    Double gpuHourCost;

    @Option(names = "--gpus", defaultValue = "1", description = "GPUs behind the URL, for tokens per dollar (default: ${DEFAULT-VALUE}).")
    int gpus;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        try {
            BenchConfig config = BenchConfigLoader.load(workload);
            String base = url != null ? url : config.baseUrl();
            String modelName = model != null ? model : config.modelName();
            if (base == null || modelName == null) {
                err.println("jetway bench: needs --url and --model (or server.base_url and server.model_name in the workload)");
                err.flush();
                return 2;
            }
            ApiType apiType = api == null ? config.api() : switch (api) {
                case "completion", "completions" -> ApiType.COMPLETION;
                case "chat" -> ApiType.CHAT;
                default -> throw new IllegalArgumentException("--api must be completion or chat: " + api);
            };
            LoadProfile load = config.load();
            if (rate != null || duration != null) {
                if (rate == null || duration == null) {
                    throw new IllegalArgumentException("--rate and --duration go together");
                }
                load = new LoadProfile(load.type(), List.of(new LoadStage(rate, duration)), load.maxConcurrency(),
                        load.requestTimeoutSeconds(), load.seed(), load.transition());
            }
            int cap = clientLimits.maxConcurrency(load);
            double timeoutSeconds = clientLimits.timeoutSeconds(load);
            if (cap < 0 || timeoutSeconds <= 0 || gpus < 1) {
                throw new IllegalArgumentException("--max-concurrency must be >= 0, --timeout and --gpus positive");
            }
            Slo slo = reportOptions.slo();
            Cost cost = gpuHourCost != null ? new Cost(gpuHourCost, gpus) : null;
            LiveOptions options = new LiveOptions(URI.create(base), modelName, apiType, config.streaming() && !noStream,
                    config.ignoreEos(), Duration.ofMillis(Math.round(timeoutSeconds * 1000)), headers, slo, cost);
            RequestPlan plan = RequestPlan.build(config.workload(), load, maxRequests, config.traffic());
            String name = label != null ? label : base;
            err.printf("jetway bench: %d requests to %s over %.0f s%n", plan.requests().size(), options.endpoint(),
                    plan.endNanos() / 1e9);
            err.flush();
            ProgressBar bar = new ProgressBar(System.err, System.console() != null);
            LiveBenchmark.Progress progress = reportOptions.noProgress || log.quiet ? LiveBenchmark.Progress.NONE
                    : (done, total) -> bar.update(name, done, total);
            if (scrapeIntervalMs <= 0) {
                throw new IllegalArgumentException("--scrape-interval-ms must be positive");
            }
            PolicyReport result = new LiveBenchmark(options, scrapeMetrics, Duration.ofMillis(scrapeIntervalMs))
                    .run(plan, cap, name, progress);
            bar.done();
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("workload_file", ReportedPath.of(workload));
            settings.put("url", options.endpoint().toString());
            settings.put("model", modelName);
            settings.put("api", apiType.name().toLowerCase(java.util.Locale.ROOT));
            settings.put("streaming", options.streaming());
            settings.put("max_concurrency", cap);
            settings.put("timeout_s", timeoutSeconds);
            settings.put("requests", plan.requests().size());
            TrafficSettings.put(config.traffic(), settings);
            reportOptions.putSlo(settings);
            settings.put("gpu_hour_cost", gpuHourCost);
            settings.put("gpus", gpus);
            JetwayVersion.stamp(settings);
            BenchReport report = new BenchReport(BenchReport.SCHEMA_VERSION, "bench",
                    config.workload().type() + " (" + workload.getFileName() + ")", settings, List.of(result), Map.of());
            // the table first: a report file that cannot be written must not cost the results on stdout
            PrintWriter out = spec.commandLine().getOut();
            out.print(MarkdownReport.render(report));
            out.flush();
            boolean written = reportOptions.write(report, err, "jetway bench");
            return result.summary().completed() > 0 && written ? 0 : 1;
        } catch (IllegalArgumentException e) {
            err.println("jetway bench: " + e.getMessage());
            err.flush();
            return 1;
        }
    }
}
