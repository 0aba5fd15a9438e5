package dev.jetway.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.gateway.testing.H2PriorKnowledgeClient;
import dev.jetway.gateway.testing.RawClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link GatewayServer#drain}: what each kind of client sees while the gateway drains for shutdown, over HTTP/1.1
 * (kept alive, pipelined) and HTTP/2. The real process and SIGTERM are in the cli module's GatewayDrainTest.
 */
class DrainTest {

    private static final String STREAM = "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":true}";

    private static String yaml(FakeModelServer backend, String drainTimeout) {
        return GatewayHarness.yaml("random", "", List.of(backend.address()))
                .replace("server: {port: 0,", "server: {drainTimeout: " + drainTimeout + ", port: 0,");
    }

    @Test
    void runningStreamsFinishWhileLateRequestsGet503AndTheGatewayIsNotReady() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(yaml(backend, "20s"));
             H2PriorKnowledgeClient h2 = new H2PriorKnowledgeClient(gw.server.port(), 1024 * 1024);
             RawClient pipelined = new RawClient(gw.server.port());
             RawClient idle = new RawClient(gw.server.port())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> gw.get(gw.adminUri("/ready")).statusCode() == 200);
            backend.streamChunks = 20;
            backend.chunkDelayMillis = 100; // two-second streams
            // a stream with a second request pipelined behind it, an HTTP/2 stream, an idle kept-alive connection
            pipelined.send(RawClient.post("/v1/completions", STREAM, "HTTP/1.1")
                    + RawClient.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"late\"}", "HTTP/1.1"));
            H2PriorKnowledgeClient.Exchange h2Stream = h2.post("/v1/completions", STREAM, Map.of(), true);
            idle.send(RawClient.get("/health"));
            assertThat(idle.readUntil("ok\"}", Duration.ofSeconds(5))).startsWith("HTTP/1.1 200");
            assertThat(pipelined.readUntil("data: ", Duration.ofSeconds(5))).startsWith("HTTP/1.1 200");
            await().atMost(Duration.ofSeconds(5)).until(() -> h2Stream.body().contains("data: "));

            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(gw.server::drain);
            await().atMost(Duration.ofSeconds(5)).until(() -> gw.get(gw.adminUri("/ready")).statusCode() == 503);
            HttpResponse<String> ready = gw.get(gw.adminUri("/ready"));
            assertThat(ready.body()).contains("draining for shutdown");
            assertThat(idle.closedWithin(Duration.ofSeconds(5))).as("an idle connection closes at once").isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> refused(gw.server.port()));

            String rest = pipelined.readToEnd(Duration.ofSeconds(20));
            assertThat(rest).contains("data: [DONE]");
            String late = rest.substring(rest.indexOf("data: [DONE]"));
            assertThat(late).contains("HTTP/1.1 503").contains("connection: close")
                    .contains("\"code\":\"shutting_down\"");
            assertThat(h2Stream.bodyWhenEnded()).endsWith("data: [DONE]\n\n");
            assertThat(drained.get()).as("everything finished in time").isTrue();
            assertThat(backend.cancelledStreams.get()).isZero();
            assertThat(gw.metricsPage()).contains("jetway_client_refusals_total{reason=\"shutting_down\"} 1.0");
        }
    }

    @Test
    void atTheDeadlineStreamsEndWithAnErrorEventOverHttp1AndHttp2() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(yaml(backend, "500ms"));
             H2PriorKnowledgeClient h2 = new H2PriorKnowledgeClient(gw.server.port(), 1024 * 1024);
             RawClient http1 = new RawClient(gw.server.port())) {
            backend.mode = FakeModelServer.Mode.ENDLESS_STREAM;
            backend.chunkDelayMillis = 20;
            http1.send(RawClient.post("/v1/completions", STREAM, "HTTP/1.1"));
            H2PriorKnowledgeClient.Exchange h2Stream = h2.post("/v1/completions", STREAM, Map.of(), true);
            assertThat(http1.readUntil("data: ", Duration.ofSeconds(5))).startsWith("HTTP/1.1 200");
            await().atMost(Duration.ofSeconds(5)).until(() -> h2Stream.body().contains("data: "));

            long t0 = System.nanoTime();
            assertThat(gw.server.drain()).as("the streams were still running").isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));

            String event = "data: {\"error\":{\"message\":\"the gateway shut down: the request was still running "
                    + "when its drain time (500 ms) ran out\",\"type\":\"service_unavailable\",\"param\":null,"
                    + "\"code\":\"shutting_down\"}}\n\n";
            String http1Rest = http1.readToEnd(Duration.ofSeconds(5));
            assertThat(http1Rest).doesNotContain("[DONE]").contains(event).endsWith("\r\n0\r\n\r\n");
            assertThat(h2Stream.bodyWhenEnded()).doesNotContain("[DONE]").endsWith(event);
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.cancelledStreams.get() == 2);
        }
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
