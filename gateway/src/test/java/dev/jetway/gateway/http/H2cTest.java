package dev.jetway.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.gateway.testing.H2PriorKnowledgeClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Cleartext HTTP/2 on the OpenAI port, through real sockets: the JDK client's {@code Upgrade: h2c} path and a Netty
 * client with prior knowledge. Everything the HTTP/1.1 path does must hold per stream.
 */
class H2cTest {

    private static final String COMPLETION = "{\"model\":\"m\",\"prompt\":\"tell me a story\",\"max_tokens\":3}";
    private static final String STREAMING = "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":true}";

    private final List<AutoCloseable> open = new ArrayList<>();
    private HttpClient h2;

    @AfterEach
    void stop() throws Exception {
        if (h2 != null) {
            h2.close();
        }
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private FakeModelServer backend(String name) throws Exception {
        FakeModelServer s = new FakeModelServer(name);
        open.add(s);
        return s;
    }

    private GatewayHarness gateway(String yaml) throws Exception {
        GatewayHarness gw = GatewayHarness.start(yaml);
        open.add(gw);
        h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(2)).build();
        return gw;
    }

    private H2PriorKnowledgeClient priorKnowledge(GatewayHarness gw, int streamWindow) throws Exception {
        H2PriorKnowledgeClient c = new H2PriorKnowledgeClient(gw.server.port(), streamWindow);
        open.add(c);
        return c;
    }

    private HttpResponse<String> send(GatewayHarness gw, String path, String contentType, String json)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(10))
                .header("x-custom", "kept").header("x-jetway-debug", "1")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (contentType != null) {
            b.header("content-type", contentType);
        }
        return h2.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String direct(FakeModelServer backend, String json) throws Exception {
        try (HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return c.send(HttpRequest.newBuilder(URI.create("http://" + backend.address() + "/v1/completions"))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    @Test
    void theUpgradePathRelaysByteExactStreamingAndNotWithTheGatewayHeaders() throws Exception {
        FakeModelServer backend = backend("a");
        backend.streamChunks = 20;
        GatewayHarness gw = gateway(GatewayHarness.yaml("random", "", List.of(backend.address()))
                + "security: {debugRequests: true}\n");

        HttpResponse<String> r = send(gw, "/v1/completions", "application/json", COMPLETION);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-jetway-endpoint")).hasValue(backend.address());
        assertThat(r.headers().firstValue("x-jetway-decision")).isPresent();
        // the body and end-to-end headers reached the model server as sent; the HTTP/2 hop left no trace
        assertThat(backend.bodies.getLast()).isEqualTo(COMPLETION.getBytes(StandardCharsets.UTF_8));
        assertThat(backend.headers.getLast()).containsEntry("x-custom", "kept")
                .doesNotContainKeys("x-http2-stream-id", "x-http2-scheme", "upgrade", "http2-settings");
        assertThat(r.body()).isEqualTo(direct(backend, COMPLETION));

        HttpResponse<String> s = send(gw, "/v1/completions", "application/json", STREAMING);
        assertThat(s.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(s.statusCode()).isEqualTo(200);
        assertThat(s.headers().firstValue("content-type")).hasValue("text/event-stream");
        assertThat(s.body()).isEqualTo(direct(backend, STREAMING)).endsWith("data: [DONE]\n\n");
    }

    @Test
    void everyBadInputGetsItsOpenAiErrorOnItsOwnStream() throws Exception {
        FakeModelServer backend = backend("a");
        GatewayHarness gw = gateway(GatewayHarness.yaml("random", "", List.of(backend.address()))
                .replace("server: {port: 0,", "server: {maxBodyBytes: 65536, port: 0,"));
        assertError(send(gw, "/v1/completions", "application/json", "{\"model\":\"m\",\"prompt\":"), 400, null);
        assertError(send(gw, "/v1/completions", "application/json", "{\"prompt\":\"x\"}"), 400, "model");
        assertError(send(gw, "/v1/completions", "application/json", "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":3}"),
                400, "stream");
        assertError(send(gw, "/v1/completions", "application/json", "{\"model\":\"nope\",\"prompt\":\"x\"}"), 404, null);
        assertError(send(gw, "/v1/completions", "text/plain", COMPLETION), 415, null);
        assertError(send(gw, "/v1/nothing", "application/json", COMPLETION), 404, null);
        String big = "{\"model\":\"m\",\"prompt\":\"" + "a".repeat(100_000) + "\"}";
        HttpResponse<String> tooLarge = send(gw, "/v1/completions", "application/json", big);
        assertError(tooLarge, 413, null);
        assertThat(tooLarge.body()).contains("request_too_large");
        HttpResponse<String> health = h2.send(HttpRequest.newBuilder(gw.uri("/health")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(health.statusCode()).isEqualTo(200);
        HttpResponse<String> models = h2.send(HttpRequest.newBuilder(gw.uri("/v1/models")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(models.body()).contains("\"id\":\"m\"");
        // none of it harmed the connection's next stream
        assertThat(send(gw, "/v1/completions", "application/json", COMPLETION).statusCode()).isEqualTo(200);
        assertThat(backend.completionRequests.get()).isEqualTo(1);
    }

    @Test
    void anUpgradeRequestOverTheBodyLimitGetsTheOpenAi413() throws Exception {
        FakeModelServer backend = backend("a");
        GatewayHarness gw = gateway(GatewayHarness.yaml("random", "", List.of(backend.address()))
                .replace("server: {port: 0,", "server: {maxBodyBytes: 65536, port: 0,"));
        // the first request of a fresh connection carries the Upgrade: h2c offer and its body is collected first
        HttpResponse<String> r = send(gw, "/v1/completions", "application/json",
                "{\"model\":\"m\",\"prompt\":\"" + "a".repeat(100_000) + "\"}");
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).startsWith("{\"error\":{\"message\":\"").contains("request_too_large");
        assertThat(send(gw, "/v1/completions", "application/json", COMPLETION).statusCode()).isEqualTo(200);
        assertThat(backend.completionRequests.get()).isEqualTo(1);
    }

    private static void assertError(HttpResponse<String> r, int status, String param) {
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).startsWith("{\"error\":{\"message\":\"").contains("\"type\":");
        if (param != null) {
            assertThat(r.body()).contains("\"param\":\"" + param + "\"");
        }
    }

    @Test
    void aServerErrorBeforeTheFirstByteMovesTheStreamToAnotherEndpoint() throws Exception {
        FakeModelServer good = backend("good");
        FakeModelServer bad = backend("bad");
        GatewayHarness gw = gateway(GatewayHarness.yaml("random", "", List.of(good.address(), bad.address())));
        gw.awaitInRotation(2); // failing from the start, it would never pass its first health check
        bad.mode = FakeModelServer.Mode.FAIL_500;
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = send(gw, "/v1/completions", "application/json",
                    "{\"model\":\"m\",\"prompt\":\"p" + i + "\"}");
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-jetway-endpoint")).hasValue(good.address());
        }
        assertThat(bad.completionRequests.get()).isPositive();
    }

    @Test
    void noReadyEndpointIs503OverH2() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        GatewayHarness gw = gateway(GatewayHarness.yaml("random", "", List.of("127.0.0.1:" + closedPort))
                .replace("scrapeTimeout: 3s}", "scrapeTimeout: 3s, unreadyAfterFailures: 1}"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !gw.server.routing().table().anyReady());
        assertError(send(gw, "/v1/completions", "application/json", COMPLETION), 503, null);
    }

    @Test
    void upstreamFailuresAndTimeoutsGiveTheirStatusOnTheStream() throws Exception {
        FakeModelServer stalled = backend("stalled");
        stalled.mode = FakeModelServer.Mode.STALL_BEFORE_HEAD;
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String yaml = GatewayHarness.yaml("random", "firstByteTimeout: 300ms, maxRetries: 0", List.of(stalled.address()))
                + "  - name: q\n    models: [n]\n    endpointPicker: random\n"
                + "    endpoints:\n      - {address: \"127.0.0.1:" + closedPort + "\"}\n";
        // the dead endpoint stays in rotation, so the request meets the connect error instead of a 503
        GatewayHarness gw = gateway(yaml.replace("scrapeTimeout: 3s}", "scrapeTimeout: 3s, unreadyAfterFailures: 1000000}"));
        HttpResponse<String> timeout = send(gw, "/v1/completions", "application/json", COMPLETION);
        assertError(timeout, 504, null);
        assertThat(timeout.body()).contains("\"type\":\"upstream_error\"");
        await().atMost(Duration.ofSeconds(5)).until(() -> stalled.cancelledStreams.get() == 1);
        assertError(send(gw, "/v1/completions", "application/json", "{\"model\":\"n\",\"prompt\":\"x\"}"), 502, null);
        HttpResponse<String> wrongMethod = h2.send(HttpRequest.newBuilder(gw.uri("/v1/completions")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertError(wrongMethod, 405, null);
    }

    @Test
    void aBackendDyingMidStreamEndsTheH2StreamWithAnErrorEvent() throws Exception {
        FakeModelServer bad = backend("bad");
        bad.mode = FakeModelServer.Mode.DIE_MID_STREAM;
        GatewayHarness gw = gateway(GatewayHarness.yaml("random", "", List.of(bad.address())));
        HttpResponse<String> r = send(gw, "/v1/completions", "application/json", STREAMING);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith(bad.sseEvent(0) + bad.sseEvent(1))
                .endsWith("\n\n").contains("data: {\"error\":{\"message\":").contains("mid-response")
                .doesNotContain("[DONE]");
        // the connection survives the failed stream
        bad.mode = FakeModelServer.Mode.OK;
        assertThat(send(gw, "/v1/completions", "application/json", COMPLETION).statusCode()).isEqualTo(200);
    }

    @Test
    void priorKnowledgeServesManyConcurrentStreamsOnOneConnection() throws Exception {
        FakeModelServer backend = backend("a");
        backend.streamChunks = 30;
        backend.chunkDelayMillis = 2;
        GatewayHarness gw = gateway(GatewayHarness.yaml("random", "", List.of(backend.address())));
        String expectedStream = direct(backend, STREAMING);
        String expectedCompletion = direct(backend, COMPLETION);
        int before = backend.completionRequests.get();
        H2PriorKnowledgeClient client = priorKnowledge(gw, 65_535);
        List<H2PriorKnowledgeClient.Exchange> streams = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            streams.add(client.post("/v1/completions", i % 2 == 0 ? STREAMING : COMPLETION,
                    Map.of("x-request-id", "r" + i), true));
        }
        for (int i = 0; i < streams.size(); i++) {
            H2PriorKnowledgeClient.Exchange e = streams.get(i);
            assertThat(e.status()).isEqualTo(200);
            assertThat(e.headers.get().get("x-jetway-endpoint").toString()).isEqualTo(backend.address());
            assertThat(e.bodyWhenEnded()).isEqualTo(i % 2 == 0 ? expectedStream : expectedCompletion);
            assertThat(e.ended.get()).isTrue();
        }
        assertThat(backend.completionRequests.get() - before).isEqualTo(100);
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void theJdkClientMultiplexesConcurrentRequestsAfterTheUpgrade() throws Exception {
        FakeModelServer backend = backend("a");
        GatewayHarness gw = gateway(GatewayHarness.yaml("random", "", List.of(backend.address())));
        assertThat(send(gw, "/v1/completions", "application/json", COMPLETION).version())
                .isEqualTo(HttpClient.Version.HTTP_2);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(h2.sendAsync(HttpRequest.newBuilder(gw.uri("/v1/completions")).timeout(Duration.ofSeconds(10))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(i % 2 == 0 ? STREAMING : COMPLETION)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < all.size(); i++) {
            HttpResponse<String> r = all.get(i).get();
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains(i % 2 == 0 ? "[DONE]" : "hello from a");
        }
    }

    @Test
    void resettingAStreamCancelsItsUpstreamRequestAndSparesTheConnection() throws Exception {
        FakeModelServer endless = backend("endless");
        endless.mode = FakeModelServer.Mode.ENDLESS_STREAM;
        endless.chunkDelayMillis = 5;
        GatewayHarness gw = gateway(GatewayHarness.yaml("random", "", List.of(endless.address())));
        H2PriorKnowledgeClient client = priorKnowledge(gw, 65_535);
        H2PriorKnowledgeClient.Exchange e = client.post("/v1/completions", STREAMING, Map.of(), true);
        assertThat(e.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> e.dataFrames.get() >= 3);
        e.reset();
        await().atMost(Duration.ofSeconds(5)).until(() -> endless.cancelledStreams.get() == 1);
        assertThat(gw.metricsPage()).contains("jetway_client_disconnects_total 1.0");
        endless.mode = FakeModelServer.Mode.OK;
        H2PriorKnowledgeClient.Exchange next = client.post("/v1/completions", COMPLETION, Map.of(), true);
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.bodyWhenEnded()).contains("hello from endless");
    }

    @Test
    void aStreamThatIsNotReadPausesOnlyItsOwnUpstream() throws Exception {
        FakeModelServer firehose = backend("firehose");
        FakeModelServer other = backend("other");
        firehose.mode = FakeModelServer.Mode.ENDLESS_STREAM;
        firehose.chunkBytes = 16 * 1024;
        GatewayHarness gw = gateway(GatewayHarness.yaml("random", "", List.of(firehose.address()))
                + "  - name: q\n    models: [n]\n    endpointPicker: random\n    endpoints:\n"
                + "      - {address: \"" + other.address() + "\"}\n");
        H2PriorKnowledgeClient client = priorKnowledge(gw, 16 * 1024);
        H2PriorKnowledgeClient.Exchange stuck = client.post("/v1/completions", STREAMING, Map.of(), false);
        await().atMost(Duration.ofSeconds(5)).until(() -> firehose.chunksSent.get() > 10);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300)).until(() -> stalled(firehose));
        assertThat(firehose.chunksSent.get() * 16 * 1024).isLessThan(64L * 1024 * 1024);
        // streams next to it on the same connection are served
        for (int i = 0; i < 20; i++) {
            H2PriorKnowledgeClient.Exchange e = client.post("/v1/completions",
                    "{\"model\":\"n\",\"prompt\":\"q" + i + "\"}", Map.of(), true);
            assertThat(e.status()).isEqualTo(200);
            assertThat(e.bodyWhenEnded()).contains("hello from other");
        }
        stuck.reset();
        await().atMost(Duration.ofSeconds(5)).until(() -> firehose.cancelledStreams.get() == 1);
    }

    @Test
    void anIdleH2ConnectionIsClosedButOneWithALongStreamIsNot() throws Exception {
        FakeModelServer slow = backend("slow");
        slow.streamChunks = 8;
        slow.chunkDelayMillis = 100;
        GatewayHarness gw = gateway(GatewayHarness.yaml("random", "", List.of(slow.address()))
                .replace("server: {port: 0,", "server: {clientIdleTimeout: 300ms, port: 0,"));
        H2PriorKnowledgeClient busy = priorKnowledge(gw, 65_535);
        H2PriorKnowledgeClient idle = priorKnowledge(gw, 65_535);
        H2PriorKnowledgeClient.Exchange e = busy.post("/v1/completions", STREAMING, Map.of(), true);
        // the stream runs 800 ms without a client byte, longer than the idle timeout
        assertThat(e.bodyWhenEnded()).endsWith("data: [DONE]\n\n");
        assertThat(e.ended.get()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> !idle.isOpen());
    }

    private static boolean stalled(FakeModelServer s) throws InterruptedException {
        long before = s.chunksSent.get();
        Thread.sleep(200);
        return s.chunksSent.get() == before;
    }
}
