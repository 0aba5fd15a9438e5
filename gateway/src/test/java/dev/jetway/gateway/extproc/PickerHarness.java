package dev.jetway.gateway.extproc;

import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.testing.FakeModelServer;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.BodySendMode;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The endpoint picker on loopback ports in front of fake model servers (only their {@code /metrics} matter: the
 * picker never calls the model), and a gRPC channel to it as Envoy would hold one.
 */
final class PickerHarness implements AutoCloseable {

    final List<FakeModelServer> servers = new ArrayList<>();
    final EndpointPickerServer picker;
    final ManagedChannel channel;

    private PickerHarness(List<FakeModelServer> servers, EndpointPickerServer picker) {
        this.servers.addAll(servers);
        this.picker = picker;
        this.channel = NettyChannelBuilder.forAddress("127.0.0.1", picker.port()).usePlaintext().build();
    }

    /** A metrics page reporting {@code waiting} queued requests for model m. */
    static String metrics(int waiting) {
        return "vllm:num_requests_waiting{model_name=\"m\"} " + waiting + "\n"
                + "vllm:num_requests_running{model_name=\"m\"} 0\n"
                + "vllm:kv_cache_usage_perc{model_name=\"m\"} 0.0\n";
    }

    /** An inline picker config: queue-scorer and a max-score-picker handing back {@code targets} endpoints. */
    static String queuePicker(int targets) {
        return "|\n"
                + "      apiVersion: llm-d.ai/v1\n"
                + "      kind: EndpointPickerConfig\n"
                + "      plugins:\n"
                + "      - type: queue-scorer\n"
                + "      - type: max-score-picker\n"
                + "        parameters: {maxNumOfEndpoints: " + targets + "}\n"
                + "      schedulingProfiles:\n"
                + "      - name: default\n"
                + "        plugins: [{pluginRef: queue-scorer}, {pluginRef: max-score-picker}]\n";
    }

    /**
     * {@code waiting.length} fake servers (each reporting its queue) in pool {@code p} serving model {@code m} with
     * {@code picker}; {@code extra} goes at the top level of jetway.yaml (starting with {@code server:}, it replaces
     * the default server line).
     */
    static PickerHarness start(String picker, String extra, int... waiting) throws IOException, InterruptedException {
        List<FakeModelServer> servers = new ArrayList<>();
        StringBuilder endpoints = new StringBuilder();
        for (int i = 0; i < waiting.length; i++) {
            FakeModelServer s = new FakeModelServer("s" + i);
            s.metricsPage = metrics(waiting[i]);
            servers.add(s);
            endpoints.append("      - {address: \"").append(s.address()).append("\"}\n");
        }
        return start(servers, "pools:\n  - name: p\n    models: [m]\n    endpointPicker: " + picker + "\n"
                + "    endpoints:\n" + endpoints, extra);
    }

    static PickerHarness start(List<FakeModelServer> servers, String pools, String extra)
            throws InterruptedException {
        return start(servers, pools, extra, null);
    }

    /** With {@code tracing} (a test's in-memory exporter); null: as the config says. */
    static PickerHarness start(List<FakeModelServer> servers, String pools, String extra,
                               dev.jetway.gateway.trace.Tracing tracing) throws InterruptedException {
        String server = extra.startsWith("server:") ? "" : "server: {host: 127.0.0.1, port: 0, adminPort: 0}\n";
        String yaml = server
                + "dataLayer: {scrapeInterval: 20ms, scrapeTimeout: 3s, unreadyAfterFailures: 1}\n"
                + extra + pools;
        EndpointPickerServer picker = EndpointPickerServer.start(ConfigLoader.parse(yaml, "test"),
                new EndpointPickerServer.Options(0, -1, 2), tracing);
        return new PickerHarness(servers, picker);
    }

    PickerHarness awaitReady() {
        await().atMost(Duration.ofSeconds(10)).until(picker::ready);
        return this;
    }

    EnvoyStream buffered() {
        return new EnvoyStream(channel, BodySendMode.BUFFERED, BodySendMode.BUFFERED);
    }

    EnvoyStream fullDuplex() {
        return new EnvoyStream(channel, BodySendMode.FULL_DUPLEX_STREAMED, BodySendMode.FULL_DUPLEX_STREAMED);
    }

    String address(int server) {
        return servers.get(server).address();
    }

    String metricsPage() throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + picker.adminPort() + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        picker.close();
        for (FakeModelServer s : servers) {
            s.close();
        }
    }
}
