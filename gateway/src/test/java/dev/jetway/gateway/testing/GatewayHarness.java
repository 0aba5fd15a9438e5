package dev.jetway.gateway.testing;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.http.GatewayServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** A gateway on OS-chosen ports in front of the given backends, plus a JDK HTTP client to call it. */
public final class GatewayHarness implements AutoCloseable {

    public final GatewayServer server;
    public final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private GatewayHarness(GatewayServer server) {
        this.server = server;
    }

    /** YAML of one pool named {@code p} serving model {@code m} on {@code addresses}. */
    public static String yaml(String policy, String upstreamExtra, List<String> addresses) {
        String endpoints = addresses.stream().map(a -> "      - {address: \"" + a + "\"}")
                .collect(Collectors.joining("\n"));
        return "server: {port: 0, adminPort: 0, host: 127.0.0.1}\n"
                + "upstream: {connectTimeout: 500ms, retryBackoff: 1ms" + (upstreamExtra.isEmpty() ? "" : ", " + upstreamExtra) + "}\n"
                + "dataLayer: {scrapeInterval: 20ms, scrapeTimeout: 3s}\n"
                + "pools:\n  - name: p\n    models: [m]\n"
                + (policy == null ? "" : "    endpointPicker: " + policy + "\n")
                + "    endpoints:\n" + endpoints + "\n";
    }

    public static GatewayHarness start(String yaml) throws InterruptedException {
        return start(ConfigLoader.parse(yaml, "test"));
    }

    public static GatewayHarness start(GatewayConfig config) throws InterruptedException {
        return new GatewayHarness(GatewayServer.start(config, 2));
    }

    /** With {@code tracing} (a test's in-memory exporter) instead of what the config says. */
    public static GatewayHarness start(GatewayConfig config, dev.jetway.gateway.trace.Tracing tracing)
            throws InterruptedException {
        return new GatewayHarness(GatewayServer.start(config, 2, tracing));
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    public URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + server.adminPort() + path);
    }

    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public String metricsPage() throws IOException, InterruptedException {
        return get(adminUri("/metrics")).body();
    }

    /** The admin view of every endpoint's rotation, checks and ejection ({@code GET /endpoints}). */
    public String endpointsView() throws IOException, InterruptedException {
        return get(adminUri("/endpoints")).body();
    }

    /** Endpoints of every pool in rotation now (ready, checked, not ejected). */
    public int inRotation() throws IOException, InterruptedException {
        String view = endpointsView();
        return view.split("\"inRotation\":true", -1).length - 1;
    }

    /** Waits (5 s at most) until {@code count} endpoints are in rotation: each has passed its first health check. */
    public GatewayHarness awaitInRotation(int count) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> inRotation() == count);
        return this;
    }

    @Override
    public void close() {
        server.close();
        http.close();
    }
}
