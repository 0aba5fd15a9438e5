package dev.jetway.cli;

import dev.jetway.bench.config.PdSplit;
import dev.jetway.gateway.config.TracingSettings;
import dev.jetway.sim.SimRole;
import java.util.List;

import java.util.concurrent.Callable;
import dev.jetway.gateway.config.DurationText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "up", mixinStandardHelpOptions = true, versionProvider = JetwayVersion.class,
        description = "Start simulated vLLM replicas (or real llama.cpp ones: --engine llama.cpp) and the gateway in "
                + "front of them, on this machine.")
final class UpCommand implements Callable<Integer> {

    @Mixin
    LogOptions log;

    @Spec
    CommandSpec spec;

    @Mixin
    LocalReplicaOptions cluster;

    @Option(names = "--model", defaultValue = LocalStack.DEFAULT_MODEL,
            description = "Model name the replicas serve (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--port", defaultValue = "8080", description = "Gateway port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--admin-port", defaultValue = "9090",
            description = "Gateway admin port with /metrics (default: ${DEFAULT-VALUE}; -1 = off).")
    int adminPort;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address the gateway binds (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--epp-config", paramLabel = "POLICY|FILE",
            description = "The pool's EndpointPickerConfig: a built-in policy name or an llm-d EndpointPickerConfig "
                    + "YAML file (default: Jetway's own). Not a jetway.yaml: that is what 'jetway gateway --config' "
                    + "takes. With requestHandler.propagatePriority the replicas run vLLM's --scheduling-policy "
                    + "priority.")
    String picker;

    /** The old name of --epp-config, which read like jetway gateway's --config (a jetway.yaml). */
    @Option(names = "--config", hidden = true, paramLabel = "POLICY|FILE")
    void oldConfigFlag(String value) {
        spec.commandLine().getErr().println("jetway up: --config is now --epp-config (an EndpointPickerConfig or a "
                + "built-in policy, not a jetway.yaml); reading it as --epp-config " + value);
        picker = value;
    }

    @Option(names = "--objective", paramLabel = "NAME=PRIORITY",
            description = "An InferenceObjective (header x-llm-d-inference-objective) and its priority; negative = "
                    + "sheddable. Repeatable, e.g. --objective critical=10 --objective batch=-1 (jetway.yaml: "
                    + "admission.objectives).")
    java.util.Map<String, Integer> objectives;

    @Option(names = "--pd", paramLabel = "xPyD",
            description = "Prefill/decode disaggregation: x prefill and y decode replicas (e.g. 1P1D; replaces "
                    + "--replicas), labelled llm-d.ai/role, routed with policy " + LocalStack.PD_POLICY
                    + " unless --epp-config says otherwise; the gateway drives both legs (docs/disaggregation.md).")
    String pd;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "On Ctrl-C or SIGTERM, how long requests in flight may finish before they are stopped "
                    + "(default: ${DEFAULT-VALUE}).")
    String drainTimeout;

    @Option(names = "--otlp-endpoint", paramLabel = "URL",
            description = "Trace every request through the gateway with OpenTelemetry and export the spans over "
                    + "OTLP/HTTP to this collector (e.g. http://localhost:4318; jetway.yaml: tracing.endpoint). The "
                    + "standard OTEL_* variables apply too. Off by default.")
    String otlpEndpoint;

    @Option(names = "--trace-sampling", paramLabel = "RATIO", defaultValue = "1.0",
            description = "With --otlp-endpoint: the share of requests traced, 0..1 (default: ${DEFAULT-VALUE}, every "
                    + "request of a local stack; jetway.yaml: tracing.samplingRatio).")
    double traceSampling;

    @Option(names = "--engine", defaultValue = "sim", paramLabel = "sim|llama.cpp",
            description = "The replicas: sim (simulated vLLM, default) or llama.cpp (real llama-server processes on "
                    + "this machine, built once by scripts/llama-server.sh; a random-weight model, no download; "
                    + "2 replicas unless --replicas).")
    String engine;

    @Option(names = "--llama-model", defaultValue = "small", paramLabel = "tiny|small",
            description = "With --engine llama.cpp: the random-weight model, tiny (4 x 256) or small (8 x 512, "
                    + "default: a 2000-token prompt takes seconds cold, milliseconds cached).")
    String llamaModel;

    @Option(names = "--llama-slots", defaultValue = "2",
            description = "With --engine llama.cpp: concurrent sequences per replica (-np); more requests queue "
                    + "(default: ${DEFAULT-VALUE}).")
    int llamaSlots;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        if (engine.equals("llama.cpp")) {
            return upOnLlamaCpp(out);
        }
        if (!engine.equals("sim")) {
            spec.commandLine().getErr().println("--engine must be sim or llama.cpp, got " + engine);
            return 2;
        }
        try {
            LocalReplicaOptions.checkReplicas(cluster.replicas);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 2;
        }
        LocalStack.Options options;
        try {
            options = new LocalStack.Options(model, cluster.replicas, cluster.profile, host, port, adminPort, picker,
                    objectives).withDrainTimeout(DurationText.parse(drainTimeout));
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("jetway up: --drain-timeout: " + e.getMessage());
            return 2;
        }
        if (pd != null) {
            try {
                options = options.withPd(PdSplit.parse(pd, "--pd"));
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return 2;
            }
        }
        dev.jetway.gateway.trace.Tracing tracing = null;
        if (otlpEndpoint != null) {
            try {
                tracing = dev.jetway.gateway.trace.Tracing.start(
                        TracingSettings.to(otlpEndpoint).withSamplingRatio(traceSampling));
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("jetway up: --otlp-endpoint / --trace-sampling: "
                        + e.getMessage());
                return 2;
            }
        }
        LocalStack stack;
        try {
            stack = LocalStack.start(options, tracing);
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("jetway up failed: " + PortHint.of(e.getMessage(),
                    port, "--port", adminPort, "--admin-port"));
            return 1;
        }
        LocalStack.Options started = options;
        UntilStopped.run(stack::close, "jetway-up-shutdown", () -> banner(out, started, stack));
        return 0;
    }

    private void banner(java.io.PrintWriter out, LocalStack.Options options, LocalStack stack) {
        out.println("Jetway is up: " + (options.pd() == null ? cluster.replicas + " simulated replica(s)"
                : options.pd() + " (" + options.pd().prefill() + " prefill, " + options.pd().decode()
                + " decode simulated replicas, policy " + (picker == null ? LocalStack.PD_POLICY : picker) + ")")
                + " of " + model + " behind " + stack.gatewayUrl());
        List<SimRole> roles = LocalStack.roles(options);
        List<String> urls = stack.replicaUrls();
        for (int i = 0; i < urls.size(); i++) {
            out.println("  replica " + urls.get(i) + (roles.get(i) == SimRole.BOTH ? "" : " (" + roles.get(i).label()
                    + ")"));
        }
        if (stack.adminUrl() != null) {
            out.println("  metrics " + stack.adminUrl() + "/metrics");
        }
        if (otlpEndpoint != null) {
            out.println("  traces  " + TracingSettings.tracesUrl(otlpEndpoint) + " (OTLP/HTTP, "
                    + Math.round(traceSampling * 100) + " % of requests)");
        }
        out.println();
        out.println("Try:");
        out.println("  curl -s " + stack.gatewayUrl() + "/v1/completions -H 'Content-Type: application/json' -d '{\"model\":\""
                + model + "\",\"prompt\":\"Hello from Jetway\",\"max_tokens\":16}'");
        out.println();
        out.println("Ctrl-C stops everything (requests in flight finish first, up to --drain-timeout).");
        out.flush();
    }

    private int upOnLlamaCpp(java.io.PrintWriter out) throws Exception {
        var err = spec.commandLine().getErr();
        if (pd != null) {
            err.println("--pd runs simulated replicas only; llama-server has no P/D split");
            return 2;
        }
        if (otlpEndpoint != null) {
            err.println("--otlp-endpoint runs with simulated replicas only; with --engine llama.cpp, use jetway gateway "
                    + "and jetway.yaml's tracing in front of the replicas");
            return 2;
        }
        int replicas = spec.commandLine().getParseResult().hasMatchedOption("--replicas") ? cluster.replicas : 2;
        dev.jetway.sim.llamacpp.GgufRandomModel.Shape shape;
        try {
            LocalReplicaOptions.checkReplicas(replicas);
            shape = dev.jetway.sim.llamacpp.GgufRandomModel.Shape.named(llamaModel);
            if (llamaSlots < 1) {
                throw new IllegalArgumentException("--llama-slots must be at least 1");
            }
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        int cores = Runtime.getRuntime().availableProcessors();
        // OpenMP threads spin: more threads than cores over all replicas cut decode about 6x
        int threads = Math.max(1, cores / replicas);
        if (replicas > cores) {
            err.println("note: " + replicas + " replicas on " + cores + " cores: they share them, each one thread");
        }
        String served = spec.commandLine().getParseResult().hasMatchedOption("--model") ? model : shape.name();
        LocalStack.Options options;
        try {
            options = new LocalStack.Options(served, replicas, null, host, port, adminPort, picker, objectives)
                    .withDrainTimeout(DurationText.parse(drainTimeout));
        } catch (IllegalArgumentException e) {
            err.println("jetway up: --drain-timeout: " + e.getMessage());
            return 2;
        }
        LlamaCppStack stack;
        try {
            stack = LlamaCppStack.start(options, new LlamaCppStack.Settings(shape, threads, llamaSlots,
                    4096 * llamaSlots));
        } catch (IllegalStateException e) {
            err.println("jetway up --engine llama.cpp: " + e.getMessage());
            return 1;
        } catch (RuntimeException | java.io.IOException e) {
            err.println("jetway up failed: " + PortHint.of(e.getMessage(), port, "--port", adminPort,
                    "--admin-port"));
            return 1;
        }
        UntilStopped.run(stack::close, "jetway-up-shutdown", () -> {
            out.println("Jetway is up: " + replicas + " llama.cpp llama-server replica(s) (random-weight "
                    + shape.name() + " model, " + threads + " thread(s) and " + llamaSlots + " slot(s) each) of "
                    + served + " behind " + stack.gatewayUrl());
            for (var r : stack.replicas()) {
                out.println("  replica " + r.baseUrl() + " (log " + r.log() + ")");
            }
            if (stack.adminUrl() != null) {
                out.println("  metrics " + stack.adminUrl() + "/metrics, engines " + stack.adminUrl() + "/ready");
            }
            out.println();
            out.println("Try (the text is gibberish: the weights are random; the prefill, cache reuse and queue are "
                    + "real):");
            out.println("  curl -s " + stack.gatewayUrl() + "/v1/completions -H 'Content-Type: application/json' -d "
                    + "'{\"model\":\"" + served + "\",\"prompt\":\"Hello from Jetway\",\"max_tokens\":16}'");
            out.println("  Send the same long prompt twice: the second reports "
                    + "usage.prompt_tokens_details.cached_tokens and lands on the replica that holds it (response "
                    + "header x-jetway-endpoint).");
            out.println();
            out.println("Ctrl-C stops everything (requests in flight finish first, up to --drain-timeout).");
            out.flush();
        });
        return 0;
    }
}
