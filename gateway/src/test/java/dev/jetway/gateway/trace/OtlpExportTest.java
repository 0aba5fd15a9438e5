package dev.jetway.gateway.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Tracing configured in jetway.yaml exports over OTLP/HTTP: a tiny collector on a loopback port receives the spans of a
 * request through the gateway (protobuf, with the configured headers and service name), and bad settings are refused
 * at start with what to change.
 */
class OtlpExportTest {

    /** A collector's OTLP/HTTP traces receiver that keeps what it gets. */
    static final class FakeCollector implements AutoCloseable {
        final HttpServer http;
        final List<byte[]> bodies = new CopyOnWriteArrayList<>();
        final List<Map<String, List<String>>> headers = new CopyOnWriteArrayList<>();
        final List<String> paths = new CopyOnWriteArrayList<>();

        FakeCollector() throws IOException {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/", exchange -> {
                paths.add(exchange.getRequestURI().getPath());
                headers.add(Map.copyOf(exchange.getRequestHeaders()));
                bodies.add(exchange.getRequestBody().readAllBytes());
                exchange.getResponseHeaders().set("content-type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse
                exchange.close();
            });
            http.start();
        }

        String url() {
            return "http://127.0.0.1:" + http.getAddress().getPort();
        }

        /** Everything received, as text: protobuf keeps strings as they are. */
        String received() {
            StringBuilder sb = new StringBuilder();
            bodies.forEach(b -> sb.append(new String(b, StandardCharsets.ISO_8859_1)));
            return sb.toString();
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    @Test
    void spansOfARequestReachTheCollectorWithTheConfiguredHeadersAndServiceName() throws Exception {
        try (FakeCollector collector = new FakeCollector(); FakeModelServer model = new FakeModelServer("a")) {
            String yaml = GatewayHarness.yaml(null, "", List.of(model.address()))
                    + "tracing:\n  endpoint: " + collector.url() + "\n  samplingRatio: 1.0\n"
                    + "  serviceName: jetway-otlp-test\n  headers: {x-api-key: \"secret value\"}\n";
            GatewayConfig config = ConfigLoader.parse(yaml, "test");
            try (GatewayHarness gw = GatewayHarness.start(config)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> gw.get(gw.uri("/ready")).statusCode() == 200);
                assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}").statusCode())
                        .isEqualTo(200);
            } // stopping exports what the batch still holds
            await().atMost(Duration.ofSeconds(10)).until(() -> collector.received().contains("schedule"));
            assertThat(collector.paths).containsOnly("/v1/traces");
            assertThat(collector.headers.getFirst().get("Content-type")).containsExactly("application/x-protobuf");
            assertThat(collector.headers.getFirst().get("X-api-key")).containsExactly("secret value");
            assertThat(collector.received()).contains("jetway-otlp-test", "POST /v1/completions", "parse", "admit",
                    "tokenize", "gen_ai.request.model", "jetway.decision");
        }
    }

    @Test
    void theStandardOtelSettingsFillWhatJetwayYamlLeavesOut() throws Exception {
        // system properties stand for the OTEL_* environment variables here: the SDK reads both, properties first
        try (FakeCollector collector = new FakeCollector(); FakeModelServer model = new FakeModelServer("a")) {
            System.setProperty("otel.exporter.otlp.endpoint", collector.url());
            System.setProperty("otel.service.name", "from-the-environment");
            System.setProperty("otel.traces.sampler", "always_on");
            System.setProperty("otel.exporter.otlp.headers", "x-tenant=ops");
            try (GatewayHarness gw = GatewayHarness.start(ConfigLoader.parse(GatewayHarness.yaml(null, "",
                    List.of(model.address())) + "tracing: {}\n", "test"))) {
                await().atMost(Duration.ofSeconds(10)).until(() -> gw.get(gw.uri("/ready")).statusCode() == 200);
                gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}");
            } finally {
                System.clearProperty("otel.exporter.otlp.endpoint");
                System.clearProperty("otel.service.name");
                System.clearProperty("otel.traces.sampler");
                System.clearProperty("otel.exporter.otlp.headers");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> collector.received().contains("schedule"));
            assertThat(collector.paths).containsOnly("/v1/traces");
            assertThat(collector.headers.getFirst().get("X-tenant")).containsExactly("ops");
            assertThat(collector.received()).contains("from-the-environment");
        }
    }

    @Test
    void anOtlpGrpcSettingInTheEnvironmentIsRefusedWithTheWayOut() {
        System.setProperty("otel.exporter.otlp.protocol", "grpc");
        try {
            assertThatThrownBy(() -> Tracing.start(new dev.jetway.gateway.config.TracingSettings(true, null, null,
                    null, null, null, null)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("OTEL_EXPORTER_OTLP_PROTOCOL grpc is not supported")
                    .hasMessageContaining("4318");
        } finally {
            System.clearProperty("otel.exporter.otlp.protocol");
        }
    }

    @Test
    void settingsTheGatewayCannotHonourAreRefusedAtStartNamingTheKey() {
        String base = GatewayHarness.yaml(null, "", List.of("127.0.0.1:1"));
        assertThatThrownBy(() -> ConfigLoader.parse(base + "tracing: {protocol: grpc}\n", "test"))
                .hasMessageContaining("tracing.protocol grpc is not supported").hasMessageContaining("4318");
        assertThatThrownBy(() -> ConfigLoader.parse(base + "tracing: {samplingRatio: 1.5}\n", "test"))
                .hasMessageContaining("tracing.samplingRatio must be between 0 and 1");
        assertThatThrownBy(() -> ConfigLoader.parse(base + "tracing: {endpoint: collector:4318}\n", "test"))
                .hasMessageContaining("tracing.endpoint must be an http(s) URL");
        assertThatThrownBy(() -> ConfigLoader.parse(base + "tracing: {sampling: 1}\n", "test"))
                .hasMessageContaining("sampling");
        assertThat(ConfigLoader.parse(base + "tracing: {}\n", "test").tracingOn()).isNotNull();
        assertThat(ConfigLoader.parse(base + "tracing: {enabled: false}\n", "test").tracingOn()).isNull();
        assertThat(ConfigLoader.parse(base, "test").tracingOn()).isNull();
    }

    @Test
    void aBareCollectorAddressGetsTheTracesPath() {
        assertThat(dev.jetway.gateway.config.TracingSettings.tracesUrl("http://c:4318"))
                .isEqualTo("http://c:4318/v1/traces");
        assertThat(dev.jetway.gateway.config.TracingSettings.tracesUrl("http://c:4318/"))
                .isEqualTo("http://c:4318/v1/traces");
        assertThat(dev.jetway.gateway.config.TracingSettings.tracesUrl("https://c/otlp/v1/traces"))
                .isEqualTo("https://c/otlp/v1/traces");
    }
}
