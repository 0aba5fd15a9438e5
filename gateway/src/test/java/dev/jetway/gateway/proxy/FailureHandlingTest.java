package dev.jetway.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retries before the first byte, clean failures after it, timeouts, cancellation. */
class FailureHandlingTest {

    private FakeModelServer good;
    private FakeModelServer bad;
    private GatewayHarness gw;

    @AfterEach
    void stop() throws Exception {
        if (gw != null) {
            gw.close();
        }
        if (good != null) {
            good.close();
        }
        if (bad != null) {
            bad.close();
        }
    }

    @Test
    void aServerErrorBeforeTheFirstByteMovesTheRequestToAnotherEndpoint() throws Exception {
        good = new FakeModelServer("good");
        bad = new FakeModelServer("bad");
        gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(good.address(), bad.address())));
        // both in rotation first (an endpoint failing its first health check would never get a request)
        gw.awaitInRotation(2);
        bad.mode = FakeModelServer.Mode.FAIL_500;
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"p" + i + "\"}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-jetway-endpoint")).hasValue(good.address());
        }
        assertThat(bad.completionRequests.get()).isPositive();
        assertThat(gw.metricsPage()).contains("jetway_retries_total").contains("kind=\"status_5xx\"");
    }

    @Test
    void aRefusedConnectionMovesTheRequestToAnotherEndpoint() throws Exception {
        good = new FakeModelServer("good");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        gw = GatewayHarness.start(GatewayHarness.yaml("random", "",
                List.of(good.address(), "127.0.0.1:" + closedPort)));
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"p" + i + "\"}");
            assertThat(r.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void whenEveryEndpointFailsTheClientGetsA502WithAnOpenAiError() throws Exception {
        bad = new FakeModelServer("bad");
        bad.mode = FakeModelServer.Mode.FAIL_500;
        gw = GatewayHarness.start(GatewayHarness.yaml("random", "maxRetries: 1", List.of(bad.address())));
        HttpResponse<String> r = gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\"}");
        // the only endpoint's own 500 is passed through once retries are used up
        assertThat(r.statusCode()).isIn(500, 502);
        assertThat(r.body()).contains("\"error\"");
    }

    @Test
    void aBackendDyingMidStreamEndsTheStreamWithAnErrorEvent() throws Exception {
        bad = new FakeModelServer("bad");
        bad.mode = FakeModelServer.Mode.DIE_MID_STREAM;
        gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(bad.address())));
        HttpResponse<String> r = gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":true}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith(bad.sseEvent(0) + bad.sseEvent(1));
        assertThat(r.body()).endsWith("\n\n").contains("data: {\"error\":{\"message\":")
                .contains("mid-response").doesNotContain("[DONE]");
    }

    @Test
    void aStalledStreamHitsTheIdleTimeoutAndEndsWithAnErrorEvent() throws Exception {
        bad = new FakeModelServer("bad");
        bad.mode = FakeModelServer.Mode.STALL_MID_STREAM;
        gw = GatewayHarness.start(GatewayHarness.yaml("random", "idleTimeout: 300ms", List.of(bad.address())));
        HttpResponse<String> r = gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":true}");
        assertThat(r.body()).contains("upstream_timeout");
        await().atMost(Duration.ofSeconds(5)).until(() -> bad.cancelledStreams.get() == 1);
    }

    @Test
    void noResponseHeadBeforeTheFirstByteTimeoutGivesA504() throws Exception {
        bad = new FakeModelServer("bad");
        bad.mode = FakeModelServer.Mode.STALL_BEFORE_HEAD;
        gw = GatewayHarness.start(GatewayHarness.yaml("random", "firstByteTimeout: 300ms", List.of(bad.address())));
        HttpResponse<String> r = gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\"}");
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(r.body()).contains("\"type\":\"upstream_error\"");
        // the gateway hung up, so the engine would abort the request
        await().atMost(Duration.ofSeconds(5)).until(() -> bad.cancelledStreams.get() == 1);
    }

    @Test
    void aClientDisconnectCancelsTheUpstreamRequest() throws Exception {
        bad = new FakeModelServer("endless");
        bad.mode = FakeModelServer.Mode.ENDLESS_STREAM;
        bad.chunkDelayMillis = 5;
        gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(bad.address())));
        String body = "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":true}";
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gw.server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: "
                    + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            int n = in.read(buf);
            assertThat(new String(buf, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> bad.cancelledStreams.get() == 1);
        assertThat(gw.metricsPage()).contains("jetway_client_disconnects_total 1.0");
    }

    @Test
    void aKeptAliveConnectionTheServerJustClosedIsRetriedOnTheSameEndpoint() throws Exception {
        good = new FakeModelServer("only");
        good.closeReusedConnections = true;
        gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(good.address())));
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"p" + i + "\"}");
            assertThat(r.statusCode()).isEqualTo(200);
        }
    }
}
