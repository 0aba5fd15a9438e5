package dev.jetway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.jetway.engine.SchedulingPolicy;
import dev.jetway.gateway.routing.PickerConfigs;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import dev.jetway.gateway.config.EndpointConfig;
import dev.jetway.gateway.config.AdmissionSettings;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.config.PoolConfig;
import dev.jetway.gateway.config.ServerSettings;
import dev.jetway.gateway.http.GatewayServer;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import dev.jetway.sim.SimRole;
import dev.jetway.bench.config.PdSplit;
import dev.jetway.sim.SimReplica;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Simulated replicas and the gateway in front of them, in this process: what {@code jetway up} runs and what
 * {@code jetway demo} builds on. Replicas publish KV events into the gateway's precise index, and run vLLM's priority
 * scheduling when the EndpointPickerConfig propagates priorities ({@code requestHandler.propagatePriority}). Start
 * it, point clients at {@link #gatewayUrl()}, switch routing policies with {@link #usePolicy}, make every replica cold
 * again with {@link #resetReplicas()}, and {@link #close()} it.
 */
public final class LocalStack implements AutoCloseable {

    /** The policy of a P/D stack ({@code jetway up --pd}) unless one is given. */
    public static final String PD_POLICY = "jetway-pd";

    /** The model name the simulated replicas serve unless told otherwise. */
    public static final String DEFAULT_MODEL = "jetway/sim-model";

    /**
     * @param model     model name the replicas serve
     * @param replicas  number of simulated replicas
     * @param profile   engine profile of the replicas (see {@code jetway sim --help})
     * @param host      address the gateway binds
     * @param port      gateway port (0 = OS-chosen)
     * @param adminPort gateway admin port (0 = OS-chosen, -1 = off)
     * @param picker    EndpointPickerConfig: a built-in policy name or a YAML file; null = Jetway's default
     * @param drainTimeout how long the gateway lets requests in flight finish when stopped (null = 30 s)
     */
    public record Options(String model, int replicas, String profile, String host, int port, int adminPort,
                          String picker, Map<String, Integer> objectives, PdSplit pd, java.time.Duration drainTimeout) {

        public Options {
            objectives = objectives == null ? Map.of() : Map.copyOf(objectives);
            if (pd != null) {
                replicas = pd.prefill() + pd.decode();
            }
        }

        public Options(String model, int replicas, String profile, String host, int port, int adminPort,
                       String picker, Map<String, Integer> objectives) {
            this(model, replicas, profile, host, port, adminPort, picker, objectives, null, null);
        }

        public Options(String model, int replicas, String profile, String host, int port, int adminPort,
                       String picker) {
            this(model, replicas, profile, host, port, adminPort, picker, Map.of(), null, null);
        }

        /**
         * {@code pd.prefill()} prefill and {@code pd.decode()} decode replicas, labelled by role, routed with
         * {@value #PD_POLICY} unless a picker is given.
         */
        public Options withPd(PdSplit split) {
            return new Options(model, replicas, profile, host, port, adminPort, picker, objectives, split, drainTimeout);
        }

        public static Options defaults() {
            return new Options(DEFAULT_MODEL, 4, SimOptions.DEFAULT_PROFILE, "127.0.0.1", 8080, 9090, null);
        }

        public Options withPorts(int newPort, int newAdminPort) {
            return new Options(model, replicas, profile, host, newPort, newAdminPort, picker, objectives, pd, drainTimeout);
        }

        public Options withReplicas(int n) {
            return new Options(model, n, profile, host, port, adminPort, picker, objectives, pd, drainTimeout);
        }

        public Options withDrainTimeout(java.time.Duration timeout) {
            return new Options(model, replicas, profile, host, port, adminPort, picker, objectives, pd, timeout);
        }

        public Options withPicker(String policyOrFile) {
            return new Options(model, replicas, profile, host, port, adminPort, policyOrFile, objectives, pd, drainTimeout);
        }
    }

    private final Options options;
    private final SimCluster sim;
    private final GatewayServer gateway;
    private GatewayConfig config;

    private LocalStack(Options options, SimCluster sim, GatewayServer gateway, GatewayConfig config) {
        this.options = options;
        this.sim = sim;
        this.gateway = gateway;
        this.config = config;
    }

    public static LocalStack start(Options options) throws InterruptedException {
        return start(options, null);
    }

    /**
     * With the gateway's requests traced by {@code tracing} ({@code jetway up --otlp-endpoint}; a test's in-memory
     * exporter); null: no tracing. The gateway closes it when it stops.
     */
    public static LocalStack start(Options options, dev.jetway.gateway.trace.Tracing tracing)
            throws InterruptedException {
        SimCluster sim;
        try {
            sim = SimCluster.start(SimOptions.defaults(options.model()).withBindHost("127.0.0.1")
                    .withAdvertiseHost("127.0.0.1").withPort(0).withProfile(options.profile())
                    .withSchedulingPolicy(schedulingPolicy(options.picker()))
                    // KV events on: the gateway keeps a precise prefix index, so the "precise" policy works too;
                    // with replay, messages lost on the way are fetched again instead of rebuilding a replica's
                    // entries
                    .withKvEvents("tcp://127.0.0.1:*").withKvEventsReplay("tcp://127.0.0.1:*"), roles(options));
        } catch (RuntimeException e) {
            if (tracing != null) {
                tracing.close(); // the gateway that would have owned it never starts
            }
            throw e;
        }
        try {
            GatewayConfig config = config(options, sim, options.picker());
            GatewayServer gateway = tracing == null ? GatewayServer.start(config)
                    : GatewayServer.start(config, Runtime.getRuntime().availableProcessors(), tracing);
            return new LocalStack(options, sim, gateway, config);
        } catch (RuntimeException | InterruptedException e) {
            sim.close();
            throw e;
        }
    }

    /**
     * vLLM's {@code --scheduling-policy} for the replicas: {@code priority} when the pool's EndpointPickerConfig writes
     * priorities into the bodies (a vLLM without it refuses a priority other than 0), {@code fcfs} otherwise.
     */
    static SchedulingPolicy schedulingPolicy(String picker) {
        EndpointPickerConfig config = PickerConfigs.resolve(picker == null ? null : TextNode.valueOf(picker),
                Path.of("."), "local");
        JsonNode handler = config.other().get("requestHandler");
        boolean propagates = handler != null && handler.path("propagatePriority").asBoolean(false);
        return propagates ? SchedulingPolicy.PRIORITY : SchedulingPolicy.FCFS;
    }

    /** The replicas' roles: prefill ones first, then decode ones, for a P/D stack; all {@code both} otherwise. */
    static List<SimRole> roles(Options options) {
        if (options.pd() == null) {
            return java.util.Collections.nCopies(options.replicas(), SimRole.BOTH);
        }
        List<SimRole> roles = new java.util.ArrayList<>(java.util.Collections.nCopies(options.pd().prefill(),
                SimRole.PREFILL));
        roles.addAll(java.util.Collections.nCopies(options.pd().decode(), SimRole.DECODE));
        return roles;
    }

    private static GatewayConfig config(Options options, SimCluster sim, String picker) {
        List<EndpointConfig> endpoints = sim.replicas().stream()
                .map(r -> new EndpointConfig("127.0.0.1:" + r.httpPort(), null,
                        r.role() == SimRole.BOTH ? null : r.role().label(), r.kvEventsEndpoint(),
                        r.kvEventsReplayEndpoint()))
                .toList();
        String policy = picker == null && options.pd() != null ? PD_POLICY : picker;
        // the replicas are jetway sim, whose tokenizer the gateway has in-process: exact ids with no /tokenize call
        // (tokenizer: auto cannot tell the simulator from vLLM, so it would ask the replicas or estimate)
        PoolConfig pool = new PoolConfig("local", List.of(options.model()), endpoints,
                policy == null ? null : TextNode.valueOf(policy), PoolConfig.SIMPLE_TOKENIZER);
        ServerSettings server = ServerSettings.of(options.host(), options.port(), options.adminPort());
        if (options.drainTimeout() != null) {
            server = server.withDrainTimeout(options.drainTimeout());
        }
        AdmissionSettings admission = options.objectives().isEmpty() ? null
                : new AdmissionSettings(options.objectives(), null, null, null);
        return new GatewayConfig(server, null, null, admission, List.of(pool), Path.of("."));
    }

    /** Routes new requests with another EndpointPickerConfig (a fresh scheduler: its prefix index starts empty). */
    public synchronized void usePolicy(String policyOrFile) {
        GatewayConfig next = config(options, sim, policyOrFile);
        gateway.reload(next);
        config = next;
    }

    /** Makes every replica cold (empty KV cache, idle) and waits until they are. */
    public void resetReplicas() {
        sim.resetAll().join();
    }

    public String gatewayUrl() {
        return "http://" + displayHost() + ":" + gateway.port();
    }

    /** The gateway's admin URL ({@code /metrics}), or null when the admin server is off. */
    public String adminUrl() {
        return gateway.adminPort() < 0 ? null : "http://" + displayHost() + ":" + gateway.adminPort();
    }

    public List<String> replicaUrls() {
        return sim.replicas().stream().map(SimReplica::baseUrl).toList();
    }

    public String model() {
        return options.model();
    }

    public GatewayServer gateway() {
        return gateway;
    }

    public SimCluster sim() {
        return sim;
    }

    private String displayHost() {
        return options.host().equals("0.0.0.0") ? "127.0.0.1" : options.host();
    }

    @Override
    public void close() {
        gateway.drain(); // requests in flight finish (up to the drain time) while the replicas still serve them
        gateway.close();
        sim.close();
    }
}
