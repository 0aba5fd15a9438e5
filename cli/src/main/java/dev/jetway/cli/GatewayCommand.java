package dev.jetway.cli;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.config.ConfigWatcher;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.http.GatewayServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Run the gateway in front of real model servers (the production entry point).")
final class GatewayCommand implements Callable<Integer> {

    @Mixin
    LogOptions log;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "jetway.yaml: pools, endpoints, EndpointPickerConfig (see docs/configuration.md). "
                    + "Changes are applied live.")
    Path config;

    @Option(names = "--port", description = "OpenAI API port (overrides server.port; default 8080).")
    Integer port;

    @Option(names = "--admin-port", description = "Admin port with /metrics (overrides server.adminPort; default 9090).")
    Integer adminPort;

    @Override
    public Integer call() throws Exception {
        GatewayConfig cfg;
        try {
            cfg = withPorts(ConfigLoader.load(config));
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("jetway gateway: " + e.getMessage());
            return 1;
        }
        GatewayServer server;
        try {
            server = GatewayServer.start(cfg);
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("jetway gateway: cannot start: " + PortHint.of(e.getMessage(),
                    cfg.server().port(), "--port (or server.port)", cfg.server().adminPort(),
                    "--admin-port (or server.adminPort)"));
            return 1;
        }
        ConfigWatcher watcher = new ConfigWatcher(config, Duration.ofSeconds(1),
                next -> server.reload(withPorts(next))).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            watcher.close();
            server.close();
            stopped.countDown();
        }, "jetway-gateway-shutdown"));
        spec.commandLine().getOut().printf("jetway gateway on http://%s:%d/v1 (metrics on port %d), config %s%n",
                cfg.server().host(), server.port(), server.adminPort(), config);
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }

    private GatewayConfig withPorts(GatewayConfig c) {
        return c.withServer(c.server().withPorts(port != null ? port : c.server().port(),
                adminPort != null ? adminPort : c.server().adminPort()));
    }
}
