package dev.jetway.cli;

import dev.jetway.bench.config.PdSplit;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = JetwayVersion.class,
        description = {
                "Drive a shared-prefix workload through the gateway with round-robin, then with Jetway's routing, and compare.",
                "",
                "Starts simulated vLLM replicas and the gateway on real loopback ports, sends the same open-loop "
                        + "streaming workload twice over HTTP (replicas reset in between so both runs start cold), "
                        + "and prints TTFT, E2E, throughput and prefix-cache hit rate side by side."})
final class DemoCommand implements Callable<Integer> {

    @Mixin
    LogOptions log;

    @Spec
    CommandSpec spec;

    @Mixin
    LocalReplicaOptions cluster;

    @Option(names = "--policy", defaultValue = "jetway",
            description = "Jetway policy to compare with round-robin: a built-in policy name or an EndpointPickerConfig file "
                    + "(default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--baseline", defaultValue = "round-robin",
            description = "Baseline policy (default: ${DEFAULT-VALUE}, what a Kubernetes Service does).")
    String baseline;

    @Option(names = "--rate", defaultValue = "12", description = "Requests per second, Poisson (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", defaultValue = "25",
            description = "Measured seconds of load per run (default: ${DEFAULT-VALUE}).")
    double durationSeconds;

    @Option(names = "--warmup", defaultValue = "8",
            description = "Seconds of load before the measured part of each run, so caches are warm as in steady state; "
                    + "reported on its own, left out of the table (default: ${DEFAULT-VALUE}; 0 = none).")
    double warmupSeconds;

    @Option(names = "--groups", defaultValue = "64",
            description = "Prefix groups (distinct system prompts) (default: ${DEFAULT-VALUE}).")
    int groups;

    @Option(names = "--prompts-per-group", defaultValue = "8", description = "Questions per group (default: ${DEFAULT-VALUE}).")
    int promptsPerGroup;

    @Option(names = "--system-prompt-len", defaultValue = "6000",
            description = "Tokens of each group's shared system prompt (default: ${DEFAULT-VALUE}).")
    int systemPromptLen;

    @Option(names = "--question-len", defaultValue = "300", description = "Tokens of each question (default: ${DEFAULT-VALUE}).")
    int questionLen;

    @Option(names = "--output-len", defaultValue = "100", description = "Output tokens per request (default: ${DEFAULT-VALUE}).")
    int outputLen;

    @Option(names = "--seed", defaultValue = "7", description = "Workload seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write the figures as JSON in the report schema of jetway bench (docs/benchmarking.md).")
    Path json;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Also write the report as Markdown.")
    Path markdown;

    @Option(names = "--html", paramLabel = "FILE",
            description = "Also write the report as a self-contained HTML page with charts.")
    Path html;

    @Option(names = "--pd", arity = "0..1", fallbackValue = "2P2D", paramLabel = "xPyD",
            description = "Prefill/decode disaggregation instead: the same GPUs aggregated (x+y replicas, --policy) and "
                    + "split (x prefill + y decode replicas, --pd-policy), on a long-prompt, long-output workload "
                    + "without shared prefixes (unless the workload flags say otherwise): %n"
                    + "  --question-len " + PD_QUESTION_LEN + " --output-len " + PD_OUTPUT_LEN + " --system-prompt-len 0 "
                    + "--rate " + PD_RATE + " (default split when given without a value: ${FALLBACK-VALUE}).")
    String pd;

    @Option(names = "--pd-policy", defaultValue = LocalStack.PD_POLICY,
            description = "Policy of the split run with --pd (default: ${DEFAULT-VALUE}).")
    String pdPolicy;

    static final int PD_QUESTION_LEN = 4000;
    static final int PD_OUTPUT_LEN = 300;
    static final double PD_RATE = 5;

    @Override
    public Integer call() throws Exception {
        PdSplit split = null;
        if (pd != null) {
            try {
                split = PdSplit.parse(pd, "--pd");
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("jetway demo: " + e.getMessage());
                return 2;
            }
            var parsed = spec.commandLine().getParseResult();
            // the P/D regime: long prompts that share nothing, long answers (each only where the user set nothing)
            questionLen = parsed.hasMatchedOption("--question-len") ? questionLen : PD_QUESTION_LEN;
            outputLen = parsed.hasMatchedOption("--output-len") ? outputLen : PD_OUTPUT_LEN;
            systemPromptLen = parsed.hasMatchedOption("--system-prompt-len") ? systemPromptLen : 0;
            rate = parsed.hasMatchedOption("--rate") ? rate : PD_RATE;
            if (!parsed.hasMatchedOption("--prompts-per-group") && !parsed.hasMatchedOption("--groups")) {
                promptsPerGroup = 1;
                groups = (int) Math.ceil(rate * (warmupSeconds + durationSeconds) * 1.5) + 16;
            }
        }
        DemoRun.Settings settings = new DemoRun.Settings(split == null ? cluster.replicas
                : split.prefill() + split.decode(), cluster.profile, baseline, policy, rate,
                warmupSeconds, durationSeconds, groups, promptsPerGroup, systemPromptLen, questionLen, outputLen, seed,
                split, pdPolicy);
        try {
            settings.validate();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("jetway demo: " + e.getMessage());
            return 2;
        }
        return new DemoRun(settings, spec.commandLine().getOut(), spec.commandLine().getErr()).run(new DemoRun.ReportPaths(json, markdown, html));
    }
}
