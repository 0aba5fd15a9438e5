package dev.jetway.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every bad input gets the OpenAI error body with the right status, and never harms the next request. */
class BadInputTest {

    private static FakeModelServer backend;
    private static GatewayHarness gw;

    @BeforeAll
    static void start() throws Exception {
        backend = new FakeModelServer("a");
        gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                .replace("server: {port: 0,", "server: {maxBodyBytes: 65536, port: 0,"));
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
        backend.close();
    }

    private static void assertError(HttpResponse<String> r, int status, String param) {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).startsWith("{\"error\":{\"message\":\"").contains("\"type\":");
        if (param != null) {
            assertThat(r.body()).contains("\"param\":\"" + param + "\"");
        }
        assertStillServing();
    }

    private static void assertStillServing() {
        try {
            assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"ok\"}").statusCode()).isEqualTo(200);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void malformedJsonIs400() throws Exception {
        assertError(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":"), 400, null);
        assertError(gw.post("/v1/completions", "not json at all"), 400, null);
    }

    @Test
    void missingModelIs400() throws Exception {
        assertError(gw.post("/v1/completions", "{\"prompt\":\"x\"}"), 400, "model");
    }

    @Test
    void badFieldTypesAre400() throws Exception {
        assertError(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":1}"), 400, "stream");
        assertError(gw.post("/v1/chat/completions", "{\"model\":\"m\",\"messages\":\"hi\"}"), 400, "messages");
    }

    @Test
    void malformedLatencyObjectivesAre400NamingTheHeader() throws Exception {
        for (String[] bad : new String[][] {{"x-llm-d-slo-ttft-ms", "fast"}, {"x-llm-d-slo-tpot-ms", "-1"},
                {"x-slo-ttft-ms", "NaN"}, {"x-slo-tpot-ms", ""}}) {
            HttpResponse<String> r = gw.http.send(HttpRequest.newBuilder(gw.uri("/v1/completions"))
                    .header("content-type", "application/json").header(bad[0], bad[1])
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"x\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertError(r, 400, bad[0]);
            assertThat(r.body()).contains("header " + bad[0] + " must be a non-negative number of milliseconds");
        }
        int before = backend.completionRequests.get();
        HttpResponse<String> ok = gw.http.send(HttpRequest.newBuilder(gw.uri("/v1/completions"))
                .header("content-type", "application/json").header("x-llm-d-slo-ttft-ms", "250")
                .header("x-llm-d-slo-tpot-ms", "12.5").header("x-slo-ttft-ms", "junk") // the canonical name wins
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"x\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(backend.completionRequests.get()).isEqualTo(before + 1);
    }

    @Test
    void unknownModelIs404() throws Exception {
        HttpResponse<String> r = gw.post("/v1/completions", "{\"model\":\"nope\",\"prompt\":\"x\"}");
        assertError(r, 404, null);
        assertThat(r.body()).contains("model_not_found");
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        String big = "{\"model\":\"m\",\"prompt\":\"" + "x".repeat(70_000) + "\"}";
        assertError(gw.post("/v1/completions", big), 413, null);
    }

    @Test
    void wrongContentTypeIs415() throws Exception {
        HttpResponse<String> r = gw.http.send(HttpRequest.newBuilder(gw.uri("/v1/completions"))
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("model=m")).build(), HttpResponse.BodyHandlers.ofString());
        assertError(r, 415, null);
    }

    @Test
    void wrongMethodAndUnknownPathAreRefused() throws Exception {
        assertError(gw.get(gw.uri("/v1/completions")), 405, null);
        assertError(gw.get(gw.uri("/v2/nothing")), 404, null);
    }

    @Test
    void garbageOnTheWireGetsA400AndTheConnectionClosed() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gw.server.port())) {
            OutputStream out = s.getOutputStream();
            out.write("POST /v1/completions HTTP/1.1\r\ncontent-length: banana\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 400");
        }
        assertStillServing();
    }

    @Test
    void healthReadyAndModels() throws Exception {
        assertThat(gw.get(gw.uri("/health")).statusCode()).isEqualTo(200);
        // ready once the backend's first scrape has succeeded
        await().atMost(java.time.Duration.ofSeconds(5)).until(() -> gw.get(gw.uri("/ready")).statusCode() == 200);
        assertThat(gw.get(gw.uri("/v1/models")).body()).contains("\"id\":\"m\"").startsWith("{\"object\":\"list\"");
    }
}
