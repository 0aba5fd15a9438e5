package dev.jetway.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway relays bodies byte for byte, both ways, streaming or not, and says who served. */
class RelayTest {

    private FakeModelServer backend;
    private GatewayHarness gw;

    @BeforeEach
    void start() throws Exception {
        backend = new FakeModelServer("a");
        gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                + "security: {debugRequests: true}\n");
    }

    @AfterEach
    void stop() throws Exception {
        gw.close();
        backend.close();
    }

    private HttpResponse<byte[]> direct(String path, String json) throws Exception {
        try (HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return c.send(HttpRequest.newBuilder(URI.create("http://" + backend.address() + path))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofByteArray());
        }
    }

    private HttpResponse<byte[]> viaGateway(String path, String json) throws Exception {
        return gw.http.send(HttpRequest.newBuilder(gw.uri(path)).header("content-type", "application/json")
                .header("x-custom", "kept").header("x-jetway-debug", "1")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void nonStreamingResponseIsByteExactAndNamesTheEndpoint() throws Exception {
        String json = "{\"model\":\"m\",\"prompt\":\"tell me a story\",\"max_tokens\":3,\"unknown_field\":[1,{\"x\":2}]}";
        HttpResponse<byte[]> expected = direct("/v1/completions", json);
        HttpResponse<byte[]> actual = viaGateway("/v1/completions", json);
        assertThat(actual.statusCode()).isEqualTo(200);
        assertThat(actual.body()).isEqualTo(expected.body());
        assertThat(actual.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(actual.headers().firstValue("x-jetway-endpoint")).hasValue(backend.address());
        assertThat(actual.headers().firstValue("x-jetway-decision")).isPresent();
        // the request body reached the model server unchanged, with end-to-end headers kept
        assertThat(backend.bodies.getLast()).isEqualTo(json.getBytes(StandardCharsets.UTF_8));
        assertThat(backend.headers.getLast()).containsEntry("x-custom", "kept");
    }

    @Test
    void streamingResponseIsByteExact() throws Exception {
        backend.streamChunks = 20;
        String json = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}";
        HttpResponse<byte[]> expected = direct("/v1/chat/completions", json);
        HttpResponse<byte[]> actual = viaGateway("/v1/chat/completions", json);
        assertThat(actual.statusCode()).isEqualTo(200);
        assertThat(new String(actual.body(), StandardCharsets.UTF_8))
                .isEqualTo(new String(expected.body(), StandardCharsets.UTF_8))
                .endsWith("data: [DONE]\n\n");
        assertThat(actual.headers().firstValue("content-type")).hasValue("text/event-stream");
    }

    @Test
    void aPoolWithTheEstimateTokenizerRoutesWithoutTokenizing() throws Exception {
        try (GatewayHarness estimate = GatewayHarness.start(GatewayHarness.yaml("jetway", "", List.of(backend.address()))
                .replace("    models: [m]\n", "    models: [m]\n    tokenizer: estimate\n"))) {
            assertThat(estimate.server.routing().table().pools().getFirst().tokenizer()).isNull();
            assertThat(estimate.post("/v1/chat/completions",
                    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}]}").statusCode())
                    .isEqualTo(200);
            assertThat(estimate.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi there\"}").statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void keepAliveConnectionServesManyRequestsInARow() throws Exception {
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> r = gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"n" + i + "\"}");
            assertThat(r.statusCode()).isEqualTo(200);
        }
        assertThat(backend.completionRequests.get()).isEqualTo(50);
    }
}
