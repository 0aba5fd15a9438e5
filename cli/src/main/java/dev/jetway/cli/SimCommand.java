package dev.jetway.cli;

import dev.jetway.engine.EngineProfiles;
import dev.jetway.engine.SchedulingPolicy;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import dev.jetway.sim.SimRole;
import dev.jetway.sim.fault.FailureType;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "sim", mixinStandardHelpOptions = true, versionProvider = JetwayVersion.class,
        description = "Run vLLM-compatible simulated replicas (OpenAI API, /metrics, KV events).")
final class SimCommand implements Callable<Integer> {

    @Mixin
    LogOptions log;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "Served model name.")
    String model;

    @Option(names = "--port", defaultValue = "8000",
            description = "HTTP port of replica 0; replica i uses port + i (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--advertise-host",
            description = "Host in KV-event topics and P/D remote_host (default: $POD_IP, else 127.0.0.1).")
    String advertiseHost;

    @Option(names = "--profile", defaultValue = SimOptions.DEFAULT_PROFILE,
            description = "Engine profile (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(names = "--replicas", defaultValue = "1", description = "Replicas in this process (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--kv-events", paramLabel = "ENDPOINT",
            description = "Publish KV events on a ZMQ PUB socket bound here, e.g. tcp://*:5557; replica i binds port + i.")
    String kvEvents;

    @Option(names = "--kv-events-replay", paramLabel = "ENDPOINT",
            description = "Serve the last 10000 KV-event messages to replay requests on a ZMQ ROUTER socket bound here "
                    + "(vLLM's replay_endpoint), e.g. tcp://*:5558; replica i binds port + i. Needs --kv-events.")
    String kvEventsReplay;

    @Option(names = "--block-size", defaultValue = "16", description = "Tokens per KV block (default: ${DEFAULT-VALUE}).")
    int blockSize;

    @Option(names = "--max-num-seqs", defaultValue = "256",
            description = "Running requests per replica at most (default: ${DEFAULT-VALUE}).")
    int maxNumSeqs;

    @Option(names = "--max-num-batched-tokens", defaultValue = "8192",
            description = "Tokens per engine step at most (default: ${DEFAULT-VALUE}).")
    int maxNumBatchedTokens;

    @Option(names = "--max-model-len", defaultValue = "0",
            description = "Prompt + output tokens at most; 0 = the profile's (default: ${DEFAULT-VALUE}).")
    int maxModelLen;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of EOS points and failures (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--lora-modules", arity = "1..*", paramLabel = "NAME=PATH", description = "LoRA adapters.")
    List<String> loraModules = new ArrayList<>();

    @Option(names = "--max-loras", defaultValue = "1",
            description = "LoRA adapters running at once (default: ${DEFAULT-VALUE}).")
    int maxLoras;

    @Option(names = "--failure-rate", defaultValue = "0",
            description = "Percent of requests that fail on purpose, 0-100 (default: ${DEFAULT-VALUE}).")
    double failureRate;

    @Option(names = "--failure-types", split = ",", paramLabel = "TYPE",
            description = "Failures to inject: rate_limit, invalid_api_key, context_length, server_error, "
                    + "invalid_request, model_not_found (default: all).")
    List<String> failureTypes = new ArrayList<>();

    @Option(names = "--stall-after-tokens", defaultValue = "-1",
            description = "Streams stop sending after N tokens but stay open; -1 = never (default: ${DEFAULT-VALUE}).")
    int stallAfterTokens;

    @Option(names = "--role", defaultValue = "both", paramLabel = "prefill|decode|both",
            description = "P/D role of the replicas (label them llm-d.ai/role the same in the gateway): a prefill "
                    + "replica refuses decode legs (kv_transfer_params.do_remote_prefill), a decode replica prefill "
                    + "legs (do_remote_decode); plain requests are served by all (default: ${DEFAULT-VALUE}).")
    String role;

    @Option(names = "--scheduling-policy", defaultValue = "fcfs", paramLabel = "fcfs|priority",
            description = "vLLM's --scheduling-policy: fcfs serves waiting requests in arrival order and refuses a "
                    + "request priority other than 0 (400); priority admits the lowest request 'priority' first "
                    + "(ties by arrival) and, short of KV memory, preempts the running request of the lowest "
                    + "priority (default: ${DEFAULT-VALUE}).")
    String schedulingPolicy;

    @Override
    public Integer call() throws InterruptedException {
        SimOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        SimCluster cluster;
        try {
            cluster = SimCluster.start(options, replicas);
        } catch (IllegalArgumentException | IllegalStateException e) {
            String line = PortHint.of(e.getMessage(), port, "--port");
            line = PortHint.forSocket(line, "KV-event publisher", "--kv-events");
            line = PortHint.forSocket(line, "KV-event replay socket", "--kv-events-replay");
            spec.commandLine().getErr().println("jetway sim: " + line);
            return 1;
        }
        // until SIGTERM or SIGINT (or, in tests, an interruption), as the other serving commands
        UntilStopped.run(cluster::close, "jetway-sim-shutdown", () -> {
            var out = spec.commandLine().getOut();
            for (var r : cluster.replicas()) {
                out.println("jetway sim: " + options.model() + " listening on " + options.bindHost() + ":"
                        + r.httpPort());
            }
            out.flush();
        });
        return 0;
    }

    SimOptions options() {
        if (replicas < 1) {
            throw new IllegalArgumentException("--replicas must be >= 1");
        }
        EngineProfiles.byName(profile); // fails with the list of known profiles
        Map<String, String> loras = new LinkedHashMap<>();
        for (String module : loraModules) {
            int eq = module.indexOf('=');
            if (eq <= 0 || eq == module.length() - 1) {
                throw new IllegalArgumentException("--lora-modules expects NAME=PATH, got '" + module + "'");
            }
            loras.put(module.substring(0, eq), module.substring(eq + 1));
        }
        Set<FailureType> types = EnumSet.allOf(FailureType.class);
        if (!failureTypes.isEmpty()) {
            types = EnumSet.noneOf(FailureType.class);
            for (String type : failureTypes) {
                types.add(FailureType.fromFlag(type));
            }
        }
        SimOptions options = SimOptions.defaults(model)
                .withPort(port)
                .withBindHost(host)
                .withProfile(profile)
                .withKvEvents(kvEvents)
                .withKvEventsReplay(kvEventsReplay)
                .withBlockSize(blockSize)
                .withMaxNumSeqs(maxNumSeqs)
                .withMaxNumBatchedTokens(maxNumBatchedTokens)
                .withMaxModelLen(maxModelLen)
                .withSeed(seed)
                .withLoraModules(loras, maxLoras)
                .withFailures(failureRate, types)
                .withStallAfterTokens(stallAfterTokens)
                .withRole(SimRole.parse(role))
                .withSchedulingPolicy(SchedulingPolicy.parse(schedulingPolicy));
        return advertiseHost == null ? options : options.withAdvertiseHost(advertiseHost);
    }
}
