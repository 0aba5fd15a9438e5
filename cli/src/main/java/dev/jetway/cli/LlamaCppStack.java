package dev.jetway.cli;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.jetway.gateway.config.AdmissionSettings;
import dev.jetway.gateway.config.EndpointConfig;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.config.PoolConfig;
import dev.jetway.gateway.config.ServerSettings;
import dev.jetway.gateway.http.GatewayServer;
import dev.jetway.sim.llamacpp.GgufRandomModel;
import dev.jetway.sim.llamacpp.LlamaServerBuild;
import dev.jetway.sim.llamacpp.LlamaServerReplica;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Real llama.cpp {@code llama-server} replicas (a random-weight model written on first use, no download) and the
 * gateway in front of them, with the pool's {@code engine: llama.cpp}: what {@code jetway up --engine llama.cpp} runs,
 * so a laptop sees Jetway route a real engine (real prefill, KV-cache reuse, slots and queue; gibberish text).
 */
final class LlamaCppStack implements AutoCloseable {

    /**
     * @param shape   the random model ({@code tiny} or {@code small})
     * @param threads CPU threads per replica; replicas × threads should not exceed the cores
     * @param slots   concurrent sequences per replica ({@code -np}); more requests queue
     * @param context total context per replica ({@code -c}), split between its slots
     */
    record Settings(GgufRandomModel.Shape shape, int threads, int slots, int context) {
    }

    private final List<LlamaServerReplica> replicas;
    private final GatewayServer gateway;
    private final String host;

    private LlamaCppStack(List<LlamaServerReplica> replicas, GatewayServer gateway, String host) {
        this.replicas = replicas;
        this.gateway = gateway;
        this.host = host;
    }

    /** Starts the replicas, then the gateway; throws {@link IllegalStateException} when llama-server is not built. */
    static LlamaCppStack start(LocalStack.Options options, Settings settings) throws Exception {
        LlamaServerBuild build = LlamaServerBuild.find()
                .orElseThrow(() -> new IllegalStateException(LlamaServerBuild.missingMessage()));
        Path model = build.model(settings.shape());
        List<LlamaServerReplica> replicas = new ArrayList<>();
        try {
            for (int i = 0; i < options.replicas(); i++) {
                replicas.add(LlamaServerReplica.start(build, model, new LlamaServerReplica.Settings(options.model(),
                        settings.context(), settings.slots(), settings.threads(), 256)));
            }
            List<EndpointConfig> endpoints = replicas.stream()
                    .map(r -> new EndpointConfig(r.address(), null, null, null, null)).toList();
            PoolConfig pool = new PoolConfig("local", List.of(options.model()), endpoints,
                    options.picker() == null ? null : TextNode.valueOf(options.picker())).withEngine("llama.cpp");
            ServerSettings server = ServerSettings.of(options.host(), options.port(), options.adminPort());
            if (options.drainTimeout() != null) {
                server = server.withDrainTimeout(options.drainTimeout());
            }
            AdmissionSettings admission = options.objectives().isEmpty() ? null
                    : new AdmissionSettings(options.objectives(), null, null, null);
            GatewayServer gateway = GatewayServer.start(new GatewayConfig(server, null, null, admission,
                    List.of(pool), Path.of(".")));
            return new LlamaCppStack(replicas, gateway, options.host().equals("0.0.0.0") ? "127.0.0.1"
                    : options.host());
        } catch (Exception | Error e) {
            replicas.forEach(LlamaServerReplica::close);
            throw e;
        }
    }

    String gatewayUrl() {
        return "http://" + host + ":" + gateway.port();
    }

    /** The admin URL ({@code /metrics}, {@code /ready}), or null when off. */
    String adminUrl() {
        return gateway.adminPort() < 0 ? null : "http://" + host + ":" + gateway.adminPort();
    }

    List<LlamaServerReplica> replicas() {
        return replicas;
    }

    @Override
    public void close() {
        gateway.drain(); // requests in flight finish (up to the drain time) while the replicas still serve them
        gateway.close();
        replicas.forEach(LlamaServerReplica::close);
    }
}
