package dev.jetway.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A client that stops reading slows its own upstream, and nobody else. */
class BackpressureTest {

    @Test
    void aStuckClientPausesItsOwnUpstreamAndOthersAreServed() throws Exception {
        try (FakeModelServer firehose = new FakeModelServer("firehose");
             FakeModelServer other = new FakeModelServer("other");
             GatewayHarness gw = GatewayHarness.start(
                     GatewayHarness.yaml("random", "", List.of(firehose.address())) + "  - name: q\n    models: [n]\n"
                             + "    endpointPicker: random\n    endpoints:\n      - {address: \"" + other.address() + "\"}\n")) {
            firehose.mode = FakeModelServer.Mode.ENDLESS_STREAM;
            firehose.chunkBytes = 16 * 1024;
            String body = "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":true}";
            try (Socket stuck = new Socket()) {
                stuck.setReceiveBufferSize(4096);
                stuck.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), gw.server.port()));
                OutputStream out = stuck.getOutputStream();
                out.write(("POST /v1/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                        + "content-length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                // the stuck client never reads: the firehose must come to a halt once buffers are full
                await().atMost(Duration.ofSeconds(5)).until(() -> firehose.chunksSent.get() > 10);
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300))
                        .until(() -> stalled(firehose));
                assertThat(firehose.chunksSent.get() * 16 * 1024).isLessThan(64L * 1024 * 1024);

                // meanwhile other clients are served promptly
                for (int i = 0; i < 20; i++) {
                    HttpResponse<String> r = gw.post("/v1/completions", "{\"model\":\"n\",\"prompt\":\"q" + i + "\"}");
                    assertThat(r.statusCode()).isEqualTo(200);
                }
            }
            // and when the stuck client leaves, its upstream request is cancelled
            await().atMost(Duration.ofSeconds(5)).until(() -> firehose.cancelledStreams.get() == 1);
        }
    }

    private static boolean stalled(FakeModelServer s) throws InterruptedException {
        long before = s.chunksSent.get();
        Thread.sleep(200);
        return s.chunksSent.get() == before;
    }
}
