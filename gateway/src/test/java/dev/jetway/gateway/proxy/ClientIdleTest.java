package dev.jetway.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Clients that never finish a request are cut off; slow responses are not. */
class ClientIdleTest {

    @Test
    void anUnfinishedRequestIsDroppedButALongStreamIsNot() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                     .replace("server: {port: 0,", "server: {clientIdleTimeout: 300ms, port: 0,"))) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gw.server.port())) {
                s.setSoTimeout(5000);
                s.getOutputStream().write("POST /v1/completions HTTP/1.1\r\ncontent-length: 100\r\n\r\n{\"mo"
                        .getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                assertThat(in.read()).isEqualTo(-1); // closed by the gateway, well before the 5 s read timeout
            }
            backend.streamChunks = 6;
            backend.chunkDelayMillis = 100;
            HttpResponse<String> r = gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":true}");
            assertThat(r.body()).endsWith("data: [DONE]\n\n");
        }
    }
}
