package dev.jetway.cli;

import dev.jetway.bench.config.PdSplit;

import dev.jetway.bench.config.ApiType;
import dev.jetway.bench.live.LiveBenchmark;
import dev.jetway.bench.live.LiveOptions;
import dev.jetway.bench.load.LoadProfile;
import dev.jetway.bench.load.LoadStage;
import dev.jetway.bench.load.RequestPlan;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.Summary;
import dev.jetway.bench.report.BenchReport;
import dev.jetway.bench.report.ReportFiles;
import dev.jetway.bench.workload.IntDistribution;
import dev.jetway.bench.workload.SharedPrefixWorkload;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code jetway demo} does: one local stack, the same workload twice (baseline policy, then Jetway's), replicas
 * reset in between, and a side-by-side table.
 */
final class DemoRun {

    /** The demo's knobs; defaults sized so both runs finish in well under two minutes on 2 cores. */
    record Settings(int replicas, String profile, String baseline, String policy, double rate, double warmupSeconds, double durationSeconds,
                    int groups, int promptsPerGroup, int systemPromptLen, int questionLen, int outputLen, long seed,
                    PdSplit pd, String pdPolicy) {

        void validate() {
            LocalReplicaOptions.checkReplicas(replicas);
            require(rate > 0, "--rate must be positive");
            require(durationSeconds > 0 && durationSeconds <= 3600, "--duration must be in (0, 3600] seconds");
            require(warmupSeconds >= 0 && warmupSeconds <= 3600, "--warmup must be in [0, 3600] seconds");
            require(groups >= 1 && promptsPerGroup >= 1, "--groups and --prompts-per-group must be at least 1");
            require(systemPromptLen >= 0 && questionLen >= 1 && outputLen >= 1,
                    "--system-prompt-len must be >= 0, --question-len and --output-len >= 1");
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    private final Settings settings;
    private final PrintWriter out;
    private final PrintWriter err;

    DemoRun(Settings settings, PrintWriter out, PrintWriter err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    int run(ReportPaths files) throws InterruptedException {
        if (settings.pd() != null) {
            return runPd(files);
        }
        RequestPlan plan = plan();
        List<PolicyReport> reports = new ArrayList<>();
        LocalStack.Options options = new LocalStack.Options(LocalStack.DEFAULT_MODEL, settings.replicas(),
                settings.profile(), "127.0.0.1", 0, -1, settings.baseline());
        try (LocalStack stack = LocalStack.start(options)) {
            out.printf(Locale.ROOT, "Jetway demo: %d simulated %s replicas behind the gateway at %s%n",
                    settings.replicas(), settings.profile(), stack.gatewayUrl());
            out.printf(Locale.ROOT, "Workload: %d prefix groups x %d questions, %d-token shared system prompt, "
                            + "%d-token question, %d output tokens; Poisson %.0f req/s, %.0f s warm-up + %.0f s measured (%d requests), streaming.%n%n",
                    settings.groups(), settings.promptsPerGroup(), settings.systemPromptLen(), settings.questionLen(),
                    settings.outputLen(), settings.rate(), settings.warmupSeconds(), settings.durationSeconds(),
                    plan.requests().size());
            out.flush();
            LiveBenchmark bench = live(stack);
            warmUp(stack, bench);
            for (String policy : List.of(settings.baseline(), settings.policy())) {
                stack.resetReplicas();
                stack.usePolicy(policy);
                awaitReady(stack);
                reports.add(measure(bench, plan, "with " + policy, policy));
            }
        } catch (RuntimeException e) {
            return failed(e);
        }
        printTable(reports);
        return finish(reports, files);
    }

    /** One measured run of the plan, with the progress line cleared after it. */
    private PolicyReport measure(LiveBenchmark bench, RequestPlan plan, String what, String label)
            throws InterruptedException {
        out.printf(Locale.ROOT, "Running %s ...%n", what);
        out.flush();
        PolicyReport report = bench.run(plan, 0, label, progress());
        err.print("\r\033[K");
        err.flush();
        return report;
    }

    private int failed(RuntimeException e) {
        err.println("jetway demo failed: " + e.getMessage());
        err.flush();
        return 1;
    }

    /** The report files a user asked for (any may be null). */
    record ReportPaths(Path json, Path markdown, Path html) {
    }

    /** Writes the reports asked for; exit code 0 when every run served (almost) every request. */
    private int finish(List<PolicyReport> reports, ReportPaths files) {
        List<ReportFiles.Failure> failures = ReportFiles.write(report(reports), files.json(), files.markdown(),
                files.html());
        for (Path p : java.util.Arrays.asList(files.json(), files.markdown(), files.html())) {
            if (p != null && failures.stream().noneMatch(f -> f.file().equals(p))) {
                out.println("Wrote " + p);
            }
        }
        out.flush();
        for (ReportFiles.Failure f : failures) {
            err.println("jetway demo: " + f.line());
        }
        err.flush();
        return failures.isEmpty() && reports.stream().allMatch(r -> r.summary().successRate() > 0.99) ? 0 : 1;
    }

    /**
     * {@code --pd}: the same workload on the same number of replicas, aggregated (every replica does both phases,
     * {@code --policy}) and split ({@code xPyD}, {@code --pd-policy}); a fresh stack for each, so both start cold.
     */
    private int runPd(ReportPaths files) throws InterruptedException {
        RequestPlan plan = plan();
        PdSplit split = settings.pd();
        List<PolicyReport> reports = new ArrayList<>();
        out.printf(Locale.ROOT, "Jetway P/D demo: %d simulated %s replicas aggregated, then the same %d split %s "
                        + "(%d prefill + %d decode), behind the gateway%n", settings.replicas(), settings.profile(),
                settings.replicas(), split, split.prefill(), split.decode());
        out.printf(Locale.ROOT, "Workload: %d-token prompts%s, %d output tokens; Poisson %.1f req/s, %.0f s warm-up + "
                        + "%.0f s measured (%d requests), streaming.%n%n", settings.systemPromptLen()
                        + settings.questionLen(), settings.promptsPerGroup() == 1 ? " sharing nothing" : "",
                settings.outputLen(), settings.rate(), settings.warmupSeconds(), settings.durationSeconds(),
                plan.requests().size());
        out.flush();
        LocalStack.Options aggregated = new LocalStack.Options(LocalStack.DEFAULT_MODEL, settings.replicas(),
                settings.profile(), "127.0.0.1", 0, -1, settings.policy());
        LocalStack.Options disaggregated = aggregated.withPicker(settings.pdPolicy()).withPd(split);
        try {
            for (var run : List.of(Map.entry(settings.policy() + " aggregated x" + settings.replicas(), aggregated),
                    Map.entry(settings.pdPolicy() + " " + split, disaggregated))) {
                try (LocalStack stack = LocalStack.start(run.getValue())) {
                    LiveBenchmark bench = live(stack);
                    warmUp(stack, bench);
                    reports.add(measure(bench, plan, run.getKey(), run.getKey()));
                }
            }
        } catch (RuntimeException e) {
            return failed(e);
        }
        printPdTable(reports);
        return finish(reports, files);
    }

    private void printPdTable(List<PolicyReport> reports) {
        out.println();
        out.printf(Locale.ROOT, "%-28s %11s %11s %11s %11s %11s %11s %13s %9s%n", "run", "TTFT mean", "TTFT p90",
                "ITL mean", "ITL p90", "E2E mean", "E2E p90", "output tok/s", "success");
        for (PolicyReport r : reports) {
            Summary s = r.summary();
            out.printf(Locale.ROOT, "%-28s %11s %11s %11s %11s %11s %11s %13.0f %8.1f%%%n", r.policy(),
                    seconds(s.ttftMeanS()), seconds(s.ttftP90S()), seconds(s.itlMeanS()), seconds(s.itlP90S()),
                    seconds(s.e2eMeanS()), seconds(s.e2eP90S()), s.outputTokensPerS(), 100 * s.successRate());
        }
        if (reports.size() == 2) {
            Summary agg = reports.get(0).summary();
            Summary pd = reports.get(1).summary();
            if (agg.e2eMeanS() != null && pd.e2eMeanS() != null && agg.itlMeanS() != null && pd.itlMeanS() != null
                    && agg.ttftMeanS() != null && pd.ttftMeanS() != null) {
                out.printf(Locale.ROOT, "%nSplit vs aggregated on the same replicas: E2E mean %+.0f%%, ITL mean %.2fx, "
                                + "TTFT mean %+.0f%% (llm-d's published P/D shape: E2E -59%%, ITL 0.2x, TTFT +117%%).%n",
                        100 * (pd.e2eMeanS() / agg.e2eMeanS() - 1), pd.itlMeanS() / agg.itlMeanS(),
                        100 * (pd.ttftMeanS() / agg.ttftMeanS() - 1));
            }
        }
    }

    /**
     * Both runs must meet a warm JVM: without this the baseline alone pays for JIT compilation of the gateway and the
     * replicas (they share this process), and scrapes that time out while compiling would take replicas out of
     * rotation during its first seconds.
     */
    private void warmUp(LocalStack stack, LiveBenchmark bench) throws InterruptedException {
        out.println("Warming up the JVM (not measured) ...");
        out.flush();
        SharedPrefixWorkload small = new SharedPrefixWorkload(new SharedPrefixWorkload.Spec(8, 4,
                IntDistribution.of(Math.min(settings.systemPromptLen(), 1000)), IntDistribution.of(50),
                IntDistribution.of(20), settings.seed() + 1, false));
        bench.run(RequestPlan.build(small, LoadProfile.poisson(new LoadStage(20, 4)), 0), 0, "warm-up",
                LiveBenchmark.Progress.NONE);
        awaitReady(stack);
    }

    /** Waits (bounded) until the gateway sees every replica ready with fresh metrics. */
    private void awaitReady(LocalStack stack) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = stack.gateway().routing().table().pools().stream()
                    .allMatch(pool -> pool.readyCount() == pool.endpoints().size());
            if (all) {
                return;
            }
            Thread.sleep(50);
        }
        err.println("jetway demo: not every replica is ready after 30 s; measuring anyway");
        err.flush();
    }

    private RequestPlan plan() {
        SharedPrefixWorkload workload = new SharedPrefixWorkload(new SharedPrefixWorkload.Spec(settings.groups(),
                settings.promptsPerGroup(), IntDistribution.of(settings.systemPromptLen()),
                IntDistribution.of(settings.questionLen()), IntDistribution.of(settings.outputLen()), settings.seed(),
                false));
        LoadStage measured = new LoadStage(settings.rate(), settings.durationSeconds());
        LoadProfile load = settings.warmupSeconds() > 0
                ? LoadProfile.poisson(new LoadStage(settings.rate(), settings.warmupSeconds(), true), measured)
                : LoadProfile.poisson(measured);
        return RequestPlan.build(workload, load, 0);
    }

    /** A benchmark of the stack's gateway that also scrapes its replicas, for the per-replica queue and KV figures. */
    private LiveBenchmark live(LocalStack stack) {
        return new LiveBenchmark(liveOptions(stack), stack.replicaUrls().stream().map(java.net.URI::create).toList(),
                java.time.Duration.ofMillis(500));
    }

    private LiveOptions liveOptions(LocalStack stack) {
        return new LiveOptions(URI.create(stack.gatewayUrl()), LocalStack.DEFAULT_MODEL, ApiType.COMPLETION, true,
                true, Duration.ofMinutes(2), Map.of(), null, null);
    }

    private LiveBenchmark.Progress progress() {
        return (done, total) -> {
            if (done % 10 == 0 || done == total) {
                synchronized (err) {
                    err.printf(Locale.ROOT, "\r  %d/%d requests done", done, total);
                    err.flush();
                }
            }
        };
    }

    private void printTable(List<PolicyReport> reports) {
        out.println();
        out.printf(Locale.ROOT, "%-28s %12s %12s %12s %14s %12s %10s%n", "policy", "TTFT p50 s", "TTFT p90 s",
                "E2E p90 s", "output tok/s", "prefix hits", "success");
        for (PolicyReport r : reports) {
            Summary s = r.summary();
            out.printf(Locale.ROOT, "%-28s %12s %12s %12s %14.0f %11.1f%% %9.1f%%%n", r.policy(), seconds(s.ttftP50S()),
                    seconds(s.ttftP90S()), seconds(s.e2eP90S()), s.outputTokensPerS(), 100 * s.prefixHitRate(),
                    100 * s.successRate());
        }
        double offered = settings.rate() * settings.outputLen();
        for (PolicyReport r : reports) {
            // Throughput counts tokens delivered inside the measured window, so a run that fell behind in the warm-up
            // shows its backlog there: more than the load offers, which reads like a win and is not one.
            if (r.summary().outputTokensPerS() > 1.05 * offered) {
                out.printf(Locale.ROOT, "(%s's output tok/s is above the %.0f tok/s the load offers: it was still "
                        + "working off requests left over from the warm-up.)%n", r.policy(), offered);
            }
        }
        if (reports.size() == 2) {
            Summary base = reports.get(0).summary();
            Summary ours = reports.get(1).summary();
            if (base.ttftP90S() != null && ours.ttftP90S() != null && ours.ttftP90S() > 0) {
                double ratio = base.ttftP90S() / ours.ttftP90S();
                out.printf(Locale.ROOT, "%nTTFT p90: %.1fx %s with %s than with %s; prefix-cache hit rate %.0f%% vs %.0f%%.%n",
                        ratio >= 1 ? ratio : 1 / ratio, ratio >= 1 ? "lower" : "higher", reports.get(1).policy(),
                        reports.get(0).policy(), 100 * ours.prefixHitRate(), 100 * base.prefixHitRate());
            }
        }
    }

    private static String seconds(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.3f", value);
    }

    private BenchReport report(List<PolicyReport> reports) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("mode", "demo");
        run.put("replicas", settings.replicas());
        run.put("profile", settings.profile());
        run.put("rate", settings.rate());
        run.put("warmup_s", settings.warmupSeconds());
        run.put("duration_s", settings.durationSeconds());
        run.put("num_groups", settings.groups());
        run.put("num_prompts_per_group", settings.promptsPerGroup());
        run.put("system_prompt_len", settings.systemPromptLen());
        run.put("question_len", settings.questionLen());
        run.put("output_len", settings.outputLen());
        run.put("seed", settings.seed());
        if (settings.pd() != null) {
            run.put("pd", settings.pd().toString());
            run.put("pd_policy", settings.pdPolicy());
        }
        JetwayVersion.stamp(run);
        return new BenchReport(BenchReport.SCHEMA_VERSION, "demo", "shared-prefix", run, reports, Map.of());
    }
}
