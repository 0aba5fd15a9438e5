package dev.jetway.cli;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.config.ConfigWatcher;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.extproc.EndpointPickerServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "epp", mixinStandardHelpOptions = true,
        description = {"Run the endpoint picker for Envoy: a gRPC ext_proc server speaking the Gateway API Inference "
                + "Extension's endpoint-picker protocol (llm-d's EPP), routing with jetway.yaml's pools, schedulers, "
                + "flow control and latency model. Envoy sends each request's headers and body; the picker answers "
                + "x-gateway-destination-endpoint (and envoy.lb metadata) or a local reply, and watches the response "
                + "to learn. See docs/operations.md, \"Endpoint-picker mode\"."})
final class EppCommand implements Callable<Integer> {

    @Mixin
    LogOptions log;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "jetway.yaml: pools, endpoints, EndpointPickerConfig (see docs/configuration.md). "
                    + "Changes are applied live.")
    Path config;

    @Option(names = "--port", defaultValue = "" + EndpointPickerServer.DEFAULT_PORT,
            description = "ext_proc gRPC port, with gRPC health on it too (default: ${DEFAULT-VALUE}, GIE's).")
    int port;

    @Option(names = "--health-port", paramLabel = "PORT",
            description = "Also serve gRPC health alone on this port (llm-d's EPP uses 9003 for its probes).")
    Integer healthPort;

    @Option(names = "--admin-port", description = "Admin port with /metrics (overrides server.adminPort; default 9090).")
    Integer adminPort;

    @Override
    public Integer call() throws Exception {
        GatewayConfig cfg;
        try {
            cfg = withAdminPort(ConfigLoader.load(config));
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("jetway epp: " + e.getMessage());
            return 1;
        }
        EndpointPickerServer server;
        try {
            server = EndpointPickerServer.start(cfg, new EndpointPickerServer.Options(port,
                    healthPort == null ? -1 : healthPort, Runtime.getRuntime().availableProcessors()));
        } catch (RuntimeException e) {
            String message = PortHint.of(e.getMessage(), port, "--port", cfg.server().adminPort(),
                    "--admin-port (or server.adminPort)");
            spec.commandLine().getErr().println("jetway epp: cannot start: "
                    + (healthPort == null ? message : PortHint.of(message, healthPort, "--health-port")));
            return 1;
        }
        ConfigWatcher watcher = new ConfigWatcher(config, Duration.ofSeconds(1),
                next -> server.reload(withAdminPort(next))).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            watcher.close();
            server.close();
            stopped.countDown();
        }, "jetway-epp-shutdown"));
        spec.commandLine().getOut().printf("jetway epp: ext_proc on %s:%d (metrics on port %d), config %s%n",
                cfg.server().host(), server.port(), server.adminPort(), config);
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }

    private GatewayConfig withAdminPort(GatewayConfig c) {
        return adminPort == null ? c : c.withServer(c.server().withPorts(c.server().port(), adminPort));
    }
}
