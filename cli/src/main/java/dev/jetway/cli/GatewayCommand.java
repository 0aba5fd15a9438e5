package dev.jetway.cli;

import dev.jetway.gateway.LiveServing;
import dev.jetway.gateway.http.GatewayServer;

import dev.jetway.gateway.LiveGateway;
import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.config.DurationText;
import dev.jetway.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "gateway", mixinStandardHelpOptions = true, versionProvider = JetwayVersion.class,
        description = {"Run the gateway in front of real model servers (the production entry point).",
                "Endpoints are listed in --config's file, or discovered: from a Kubernetes InferencePool "
                        + "(--inference-pool, or pools[].inferencePool) or a watched file (--endpoints-file, or "
                        + "pools[].endpointsFile). See docs/kubernetes.md."})
final class GatewayCommand implements Callable<Integer> {

    @Mixin
    LogOptions log;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "jetway.yaml: pools, endpoints or their discovery, EndpointPickerConfig (see "
                    + "docs/configuration.md). Changes are applied live. Optional with --inference-pool or "
                    + "--endpoints-file.")
    Path config;

    @Option(names = "--host", description = "Address to bind (overrides server.host; default 127.0.0.1, this machine "
            + "only; 0.0.0.0 for every interface, as in a container).")
    String host;

    @Option(names = "--port", description = "OpenAI API port (overrides server.port; default 8080).")
    Integer port;

    @Option(names = "--admin-port", description = "Admin port with /metrics (overrides server.adminPort; default 9090).")
    Integer adminPort;

    @Option(names = "--drain-timeout", paramLabel = "DURATION",
            description = "On SIGTERM or Ctrl-C, how long requests in flight may finish before they are stopped "
                    + "(overrides server.drainTimeout; default 30s; e.g. 10s, 2m). Then the process exits 0.")
    String drainTimeout;

    @Mixin
    DiscoveryOptions discovery;

    @Mixin
    SecurityOptions security;

    @Override
    public Integer call() throws Exception {
        GatewayConfig cfg;
        try {
            cfg = configure(config == null ? null : ConfigLoader.load(config));
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("jetway gateway: " + e.getMessage());
            return 1;
        }
        LiveServing<GatewayServer> gateway;
        try {
            gateway = LiveGateway.start(cfg, Runtime.getRuntime().availableProcessors());
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("jetway gateway: cannot start: " + PortHint.of(e.getMessage(),
                    cfg.server().port(), "--port (or server.port)", cfg.server().adminPort(),
                    "--admin-port (or server.adminPort)"));
            return 1;
        }
        UntilStopped.serve(gateway, config, this::configure, "jetway-gateway-shutdown", () -> {
            spec.commandLine().getOut().printf("jetway gateway on %s://%s:%d/v1 (metrics on port %d), %s%n",
                    cfg.server().tls() == null ? "http" : "https", cfg.server().host(), gateway.server().port(),
                    gateway.server().adminPort(), source(cfg));
            spec.commandLine().getOut().flush();
        });
        return 0;
    }

    private String source(GatewayConfig cfg) {
        var pool = cfg.pools().size() == 1 ? cfg.pools().getFirst() : null;
        String what = pool != null && pool.inferencePool() != null
                ? "endpoints from InferencePool " + pool.inferencePool().name()
                : pool != null && pool.endpointsFile() != null ? "endpoints from " + pool.endpointsFile() : null;
        return (config == null ? "" : "config " + config) + (what == null ? "" : (config == null ? "" : ", ") + what);
    }

    /** The file as written (or null without --config), with the command line's address, ports and discovery flags. */
    GatewayConfig configure(GatewayConfig written) {
        GatewayConfig c = security.apply(discovery.apply(written));
        var server = c.server().withPorts(port != null ? port : c.server().port(),
                adminPort != null ? adminPort : c.server().adminPort());
        if (drainTimeout != null) {
            server = server.withDrainTimeout(DurationText.parse(drainTimeout));
        }
        return c.withServer(host != null ? server.withHost(host) : server);
    }
}
