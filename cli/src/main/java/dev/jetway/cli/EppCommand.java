package dev.jetway.cli;

import dev.jetway.gateway.LiveServing;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.config.DurationText;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.extproc.EndpointPickerServer;
import dev.jetway.gateway.extproc.LiveEndpointPicker;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "epp", mixinStandardHelpOptions = true, versionProvider = JetwayVersion.class,
        description = {"Run the endpoint picker for Envoy: a gRPC ext_proc server speaking the Gateway API Inference "
                + "Extension's endpoint-picker protocol (llm-d's EPP), routing with jetway.yaml's pools, schedulers, "
                + "flow control and latency model. Envoy sends each request's headers and body; the picker answers "
                + "x-gateway-destination-endpoint (and envoy.lb metadata) or a local reply, and watches the response "
                + "to learn. See docs/operations.md, \"Endpoint-picker mode\".",
                "Endpoints are listed in --config's file, or discovered as jetway gateway discovers them "
                        + "(--inference-pool, --endpoints-file; docs/kubernetes.md).",
                "The ext_proc port speaks plaintext gRPC unless told otherwise (--secure-serving, --cert-path, "
                        + "--tls-cert or server.tls): GIE's picker defaults to TLS with a self-signed certificate, "
                        + "which --secure-serving gives; docs/security.md."})
final class EppCommand implements Callable<Integer> {

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
            + "only; 0.0.0.0 for every interface, as in a pod Envoy must reach).")
    String host;

    @Option(names = "--port", defaultValue = "" + EndpointPickerServer.DEFAULT_PORT,
            description = "ext_proc gRPC port, with gRPC health on it too (default: ${DEFAULT-VALUE}, GIE's).")
    int port;

    @Option(names = "--health-port", paramLabel = "PORT",
            description = "Also serve gRPC health alone on this port (llm-d's EPP uses 9003 for its probes).")
    Integer healthPort;

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

    @Option(names = "--secure-serving", arity = "0..1", paramLabel = "BOOL", fallbackValue = "true",
            description = "TLS on the ext_proc port, as GIE's picker's flag of the name: with the certificate of "
                    + "--cert-path, --tls-cert or server.tls, else a self-signed one made at start (Envoy then skips "
                    + "verification). --secure-serving=false: plaintext whatever server.tls says. Not given: "
                    + "plaintext unless a certificate is named.")
    Boolean secureServing;

    @Option(names = "--cert-path", paramLabel = "DIR",
            description = "Directory with tls.crt and tls.key (a mounted Kubernetes TLS Secret, as GIE's "
                    + "--cert-path): TLS on the ext_proc port with that certificate, re-read when it rotates.")
    Path certPath;

    @Override
    public Integer call() throws Exception {
        GatewayConfig cfg;
        try {
            cfg = configure(config == null ? null : ConfigLoader.load(config));
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("jetway epp: " + e.getMessage());
            return 1;
        }
        LiveServing<EndpointPickerServer> picker;
        try {
            picker = LiveEndpointPicker.start(cfg, new EndpointPickerServer.Options(port,
                    healthPort == null ? -1 : healthPort, Runtime.getRuntime().availableProcessors()));
        } catch (RuntimeException e) {
            String message = PortHint.of(e.getMessage(), port, "--port", cfg.server().adminPort(),
                    "--admin-port (or server.adminPort)");
            spec.commandLine().getErr().println("jetway epp: cannot start: "
                    + (healthPort == null ? message : PortHint.of(message, healthPort, "--health-port")));
            return 1;
        }
        UntilStopped.serve(picker, config, this::configure, "jetway-epp-shutdown", () -> {
            EndpointPickerServer running = picker.server();
            spec.commandLine().getOut().printf("jetway epp: ext_proc on %s:%d over %s (%smetrics on port %d)%s%n",
                    cfg.server().host(), running.port(),
                    running.tls() == null ? "plaintext gRPC" : running.tls().settings().describe(),
                    running.healthPort() < 0 ? "" : "gRPC health alone, plaintext, on port " + running.healthPort()
                            + "; ", running.adminPort(), config == null ? "" : ", config " + config);
            spec.commandLine().getOut().flush();
        });
        return 0;
    }

    /**
     * The file as written (or null without --config), with the command line's address, admin port, discovery and
     * security.
     */
    GatewayConfig configure(GatewayConfig written) {
        GatewayConfig c = security.apply(discovery.apply(written), certPath, secureServing);
        var server = adminPort == null ? c.server() : c.server().withPorts(c.server().port(), adminPort);
        if (drainTimeout != null) {
            server = server.withDrainTimeout(DurationText.parse(drainTimeout));
        }
        return c.withServer(host != null ? server.withHost(host) : server);
    }
}
