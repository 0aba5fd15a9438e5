package dev.jetway.gateway.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.LiveGateway;
import dev.jetway.gateway.LiveServing;
import dev.jetway.gateway.http.GatewayServer;
import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.config.ConfigLoader.ConfigException;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.gateway.testing.FakeModelServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pool's endpoints from a watched file: added, removed, a broken file ignored, a broken file at start refused. */
class FileDiscoveryTest {

    private static final String JETWAY_YAML = """
            server: {port: 0, adminPort: 0, host: 127.0.0.1}
            upstream: {connectTimeout: 500ms, retryBackoff: 1ms}
            dataLayer: {scrapeInterval: 20ms}
            pools:
              - name: p
                models: [m]
                endpointPicker: random
                endpointsFile: eps.yaml
            """;

    private final HttpClient http = HttpClient.newHttpClient();

    private static void writeEndpoints(Path file, String... addresses) throws Exception {
        // written aside and moved in, as an editor or a ConfigMap update does: the watcher never sees half a file
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, "endpoints:\n" + java.util.Arrays.stream(addresses)
                .map(a -> "  - {address: \"" + a + "\"}\n").collect(Collectors.joining()));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static Set<String> routed(LiveServing<GatewayServer> gw) {
        return gw.server().routing().table().pools().getFirst().endpoints().stream()
                .map(GatewayEndpoint::toString).collect(Collectors.toSet());
    }

    private String endpointOf(LiveServing<GatewayServer> gw) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gw.server().port() + "/v1/completions"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"x\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.headers().firstValue("x-jetway-endpoint").orElseThrow();
    }

    @Test
    void endpointsFollowTheFile(@TempDir Path dir) throws Exception {
        try (FakeModelServer a = new FakeModelServer("a"); FakeModelServer b = new FakeModelServer("b")) {
            Path eps = dir.resolve("eps.yaml");
            writeEndpoints(eps, a.address());
            Path yaml = dir.resolve("jetway.yaml");
            Files.writeString(yaml, JETWAY_YAML);
            try (LiveServing<GatewayServer> gw = LiveGateway.start(ConfigLoader.load(yaml), 2)) {
                assertThat(routed(gw)).containsExactly(a.address());
                assertThat(endpointOf(gw)).isEqualTo(a.address());

                writeEndpoints(eps, a.address(), b.address());
                await().atMost(Duration.ofSeconds(1)).until(() -> routed(gw).equals(Set.of(a.address(), b.address())));

                writeEndpoints(eps, b.address());
                await().atMost(Duration.ofSeconds(1)).until(() -> routed(gw).equals(Set.of(b.address())));
                assertThat(endpointOf(gw)).isEqualTo(b.address());

                // a broken file is reported and ignored: the last list that loaded stays
                long generation = gw.server().routing().table().generation();
                Files.writeString(eps, "endpoints:\n  - {address: nope}\n");
                Thread.sleep(600);
                assertThat(gw.server().routing().table().generation()).isEqualTo(generation);
                assertThat(endpointOf(gw)).isEqualTo(b.address());

                // so is a file that disappears; the next good one is applied
                Files.delete(eps);
                Thread.sleep(400);
                assertThat(routed(gw)).containsExactly(b.address());
                writeEndpoints(eps, a.address());
                await().atMost(Duration.ofSeconds(1)).until(() -> routed(gw).equals(Set.of(a.address())));

                writeEndpoints(eps);
                await().atMost(Duration.ofSeconds(1)).until(() -> routed(gw).isEmpty());
            }
        }
    }

    @Test
    void aFileThatDoesNotLoadAtStartStopsTheGateway(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("jetway.yaml");
        Files.writeString(yaml, JETWAY_YAML);
        assertThatThrownBy(() -> LiveGateway.start(ConfigLoader.load(yaml), 2))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pool p: ")
                .hasMessageContaining("eps.yaml: endpoints file not found");
        Files.writeString(dir.resolve("eps.yaml"), "endpoints: [{address: 10.0.0.1}]");
        assertThatThrownBy(() -> LiveGateway.start(ConfigLoader.load(yaml), 2))
                .hasMessageContaining("endpoints[0]: address must be host:port, got 10.0.0.1");
    }

    @Test
    void jetwayYamlAndEndpointsFileCannotBothListEndpoints() {
        assertThatThrownBy(() -> ConfigLoader.parse(JETWAY_YAML + "    endpoints: [{address: 10.0.0.1:80}]\n", "t"))
                .hasMessageContaining("pool p: endpoints and endpointsFile both say where the endpoints come from");
        assertThatThrownBy(() -> ConfigLoader.parse(JETWAY_YAML.replace("endpointsFile: eps.yaml",
                        "endpointsFile: eps.yaml\n    inferencePool: {name: x}"), "t"))
                .hasMessageContaining("inferencePool and endpointsFile both say");
    }

    @Test
    void aFileAddedByAReloadIsWatchedToo(@TempDir Path dir) throws Exception {
        try (FakeModelServer a = new FakeModelServer("a")) {
            Path yaml = dir.resolve("jetway.yaml");
            Files.writeString(yaml, JETWAY_YAML.replace("endpointsFile: eps.yaml",
                    "endpoints: [{address: \"" + a.address() + "\"}]"));
            try (LiveServing<GatewayServer> gw = LiveGateway.start(ConfigLoader.load(yaml), 2)) {
                assertThat(routed(gw)).containsExactly(a.address());
                Path eps = dir.resolve("eps.yaml");
                writeEndpoints(eps);
                Files.writeString(yaml, JETWAY_YAML);
                gw.written(ConfigLoader.load(yaml));
                await().atMost(Duration.ofSeconds(1)).until(() -> routed(gw).isEmpty());
                writeEndpoints(eps, a.address());
                await().atMost(Duration.ofSeconds(1)).until(() -> routed(gw).equals(Set.of(a.address())));
                assertThat(List.copyOf(routed(gw))).hasSize(1);
            }
        }
    }

    @Test
    void aJetwayYamlEditThatDoesNotApplyIsRefusedAndDiscoveryGoesOn(@TempDir Path dir) throws Exception {
        try (FakeModelServer a = new FakeModelServer("a"); FakeModelServer b = new FakeModelServer("b")) {
            Path eps = dir.resolve("eps.yaml");
            writeEndpoints(eps, a.address());
            Path yaml = dir.resolve("jetway.yaml");
            Files.writeString(yaml, JETWAY_YAML);
            try (LiveServing<GatewayServer> gw = LiveGateway.start(ConfigLoader.load(yaml), 2)) {
                Files.writeString(yaml, JETWAY_YAML.replace("endpointPicker: random", "endpointPicker: nope.yaml"));
                assertThatThrownBy(() -> gw.written(ConfigLoader.load(yaml)))
                        .hasMessageContaining("endpointPicker nope.yaml is neither a built-in policy");
                writeEndpoints(eps, a.address(), b.address());
                await().atMost(Duration.ofSeconds(1)).until(() -> routed(gw).equals(Set.of(a.address(), b.address())));
                assertThat(gw.server().routing().config().pools().getFirst().endpointPicker().asText())
                        .isEqualTo("random");
            }
        }
    }
}
