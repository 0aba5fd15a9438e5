package dev.jetway.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
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

    @Override
    public Integer call() throws Exception {
        DemoRun.Settings settings = new DemoRun.Settings(cluster.replicas, cluster.profile, baseline, policy, rate,
                warmupSeconds, durationSeconds, groups, promptsPerGroup, systemPromptLen, questionLen, outputLen, seed);
        try {
            settings.validate();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("jetway demo: " + e.getMessage());
            return 2;
        }
        return new DemoRun(settings, spec.commandLine().getOut(), spec.commandLine().getErr()).run(json);
    }
}
