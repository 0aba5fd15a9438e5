package dev.jetway.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.gateway.testing.RawClient;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The edge holds against clients that hold, trickle, flood or stall: connection caps per port, the request-head
 * deadline, the header limit, bounded pipelining, the write-stall deadline, and bodies an HTTP/1.0 client can read.
 * Each case first does what used to hurt (see issue 19), then checks the gateway answered and stayed bounded.
 */
class EdgeLimitsTest {

    private static String yaml(FakeModelServer backend, String serverExtra) {
        return GatewayHarness.yaml("random", "", List.of(backend.address()))
                .replace("server: {port: 0,", "server: {" + serverExtra + ", port: 0,");
    }

    @Test
    void heldConnectionsAndSlowlorisStarveNeitherNewClientsNorTheAdminPort() throws Exception {
        long limit = ConnectionBudget.descriptorLimit();
        // both ends of 2,200 connections live in this process
        org.junit.jupiter.api.Assumptions.assumeTrue(limit < 0 || limit >= 6000,
                "needs ~5,000 descriptors (ulimit -n), has " + limit);
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(yaml(backend, "headerReadTimeout: 30s"))) {
            List<RawClient> held = new ArrayList<>();
            AtomicBoolean trickling = new AtomicBoolean(true);
            try {
                // 2,000 kept-alive connections, each idle after one answered request
                for (int i = 0; i < 2000; i++) {
                    RawClient c = new RawClient(gw.server.port());
                    held.add(c);
                    c.send(RawClient.get("/health"));
                }
                for (RawClient c : held) {
                    assertThat(c.readUntil("{\"status\":\"ok\"}", Duration.ofSeconds(10))).startsWith("HTTP/1.1 200");
                }
                // 200 slowloris connections, one header byte at a time
                List<RawClient> slow = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    RawClient c = new RawClient(gw.server.port());
                    slow.add(c);
                    held.add(c);
                }
                Thread trickler = Thread.ofVirtual().start(() -> {
                    byte[] head = "POST /v1/completions HTTP/1.1\r\nHost: gw\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
                    for (int i = 0; trickling.get(); i++) {
                        for (RawClient c : slow) {
                            try {
                                c.send(new byte[] {i < head.length ? head[i] : (byte) 'a'});
                            } catch (IOException e) {
                                // closed by the gateway
                            }
                        }
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                Thread.sleep(500);
                assertThat(gw.server.openConnections()).isGreaterThanOrEqualTo(2200);
                for (int round = 0; round < 5; round++) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}");
                    long api = System.nanoTime() - t0;
                    t0 = System.nanoTime();
                    HttpResponse<String> admin = gw.get(gw.adminUri("/ready"));
                    long adminNanos = System.nanoTime() - t0;
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(admin.statusCode()).isEqualTo(200);
                    // behaviour, not a benchmark: answered, not starved (about a millisecond here; 100 ms is the bar)
                    assertThat(Duration.ofNanos(api)).isLessThan(Duration.ofSeconds(1));
                    assertThat(Duration.ofNanos(adminNanos)).isLessThan(Duration.ofSeconds(1));
                }
                trickling.set(false);
                trickler.join();
            } finally {
                trickling.set(false);
                for (RawClient c : held) {
                    c.close();
                }
            }
        }
    }

    @Test
    void overTheConnectionCapANewClientIsRefusedAtOnceAndTheAdminPortHasItsOwnBudget() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(yaml(backend, "maxConnections: 50, adminMaxConnections: 3"))) {
            List<RawClient> held = new ArrayList<>();
            try {
                for (int i = 0; i < 50; i++) {
                    held.add(new RawClient(gw.server.port()));
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> gw.server.openConnections() == 50);
                long t0 = System.nanoTime();
                try (RawClient extra = new RawClient(gw.server.port())) {
                    String answer = extra.readToEnd(Duration.ofSeconds(5));
                    assertThat(answer).startsWith("HTTP/1.1 503").contains("connection: close")
                            .contains("\"code\":\"too_many_connections\"");
                }
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
                assertThat(gw.get(gw.adminUri("/health")).statusCode()).isEqualTo(200);

                // the admin port's own budget: three held, a fourth refused, the API's held ones do not count
                List<RawClient> admins = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    admins.add(new RawClient(gw.server.adminPort()));
                }
                Thread.sleep(200);
                try (RawClient fourth = new RawClient(gw.server.adminPort())) {
                    assertThat(fourth.readToEnd(Duration.ofSeconds(5))).startsWith("HTTP/1.1 503");
                }
                for (RawClient a : admins) {
                    a.close();
                }
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> gw.get(gw.adminUri("/health")).statusCode() == 200);

                // a freed slot takes a new client again
                held.removeFirst().close();
                await().atMost(Duration.ofSeconds(5)).until(() -> gw.server.openConnections() < 50);
                assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}").statusCode())
                        .isEqualTo(200);
                assertThat(gw.metricsPage())
                        .containsPattern("jetway_client_refusals_total\\{reason=\"connection_cap\"} [1-9]")
                        .containsPattern("jetway_client_refusals_total\\{reason=\"admin_connection_cap\"} [1-9]");
            } finally {
                for (RawClient c : held) {
                    c.close();
                }
            }
        }
    }

    @Test
    void aHeadTrickledByteByByteGets408AtTheDeadlineOnAFreshOrAKeptAliveConnection() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(yaml(backend, "headerReadTimeout: 1s"))) {
            for (boolean keptAlive : new boolean[] {false, true}) {
                try (RawClient c = new RawClient(gw.server.port())) {
                    if (keptAlive) {
                        c.send(RawClient.get("/health"));
                        assertThat(c.readUntil("ok\"}", Duration.ofSeconds(5))).startsWith("HTTP/1.1 200");
                        Thread.sleep(1500); // idle between requests is not the head deadline's business
                    }
                    long t0 = System.nanoTime();
                    AtomicBoolean closed = new AtomicBoolean();
                    Thread trickle = Thread.ofVirtual().start(() -> {
                        byte[] head = "POST /v1/completions HTTP/1.1\r\nHost: gw\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                .getBytes(StandardCharsets.US_ASCII);
                        for (int i = 0; !closed.get(); i = (i + 1) % head.length) {
                            try {
                                c.send(new byte[] {head[Math.min(i, head.length - 1)]});
                                Thread.sleep(100);
                            } catch (IOException | InterruptedException e) {
                                return;
                            }
                        }
                    });
                    String answer = c.readToEnd(Duration.ofSeconds(10));
                    closed.set(true);
                    trickle.join();
                    assertThat(answer).startsWith("HTTP/1.1 408").contains("\"code\":\"request_timeout\"");
                    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(900),
                            Duration.ofSeconds(5));
                }
            }
            // the admin port keeps the same deadline: a trickling probe cannot hold one of its few connections
            try (RawClient c = new RawClient(gw.server.adminPort())) {
                c.send("GET /metr");
                assertThat(c.readToEnd(Duration.ofSeconds(10))).startsWith("HTTP/1.1 408");
            }
            assertThat(gw.metricsPage()).contains("jetway_client_refusals_total{reason=\"head_timeout\"} 3.0");
            assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void headersOverTheLimitGet431AtTheEdgeAndAMegabyteOfThemIsBounded() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(yaml(backend, "maxHeaderBytes: 16384"))) {
            // under the limit: reaches the model server
            assertThat(send(gw, "x-pad", "a".repeat(12_000)).statusCode()).isEqualTo(200);
            int before = backend.completionRequests.get();
            for (int size : new int[] {20_000, 64_000}) {
                HttpResponse<String> r = send(gw, "x-pad", "a".repeat(size));
                assertThat(r.statusCode()).isEqualTo(431);
                assertThat(r.body()).startsWith("{\"error\":{\"message\":\"request headers are larger than the "
                        + "gateway's limit of 16384 bytes\"").contains("\"code\":\"request_header_fields_too_large\"");
            }
            // a megabyte of headers: answered 431 while the rest is discarded, never buffered
            try (RawClient c = new RawClient(gw.server.port())) {
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        c.send("POST /v1/completions HTTP/1.1\r\nHost: gw\r\n");
                        String line = "x-pad: " + "b".repeat(1000) + "\r\n";
                        for (int i = 0; i < 1000; i++) {
                            c.send(line);
                        }
                        c.send("\r\n");
                    } catch (IOException e) {
                        // the gateway closed after answering
                    }
                });
                assertThat(c.readToEnd(Duration.ofSeconds(10))).startsWith("HTTP/1.1 431");
                writer.join();
            }
            // over HTTP/2 the limit is announced (SETTINGS_MAX_HEADER_LIST_SIZE) and a larger header block is refused
            try (dev.jetway.gateway.testing.H2PriorKnowledgeClient h2 =
                         new dev.jetway.gateway.testing.H2PriorKnowledgeClient(gw.server.port(), 1024 * 1024)) {
                var big = h2.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\"}",
                        java.util.Map.of("x-pad", "c".repeat(20_000)), true);
                try {
                    assertThat(big.status()).isEqualTo(431);
                } catch (java.util.concurrent.ExecutionException e) {
                    // Netty's client honours the announced limit and refuses to send the block at all
                    assertThat(e.getCause()).hasMessageContaining("closed before its headers");
                }
                var small = h2.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\"}",
                        java.util.Map.of("x-pad", "c".repeat(8_000)), true);
                assertThat(small.status()).isEqualTo(200);
            }
            // a request line over 4 KiB
            try (RawClient c = new RawClient(gw.server.port())) {
                c.send("GET /v1/models?" + "q".repeat(5000) + " HTTP/1.1\r\nHost: gw\r\n\r\n");
                assertThat(c.readToEnd(Duration.ofSeconds(5))).startsWith("HTTP/1.1 414").contains("uri_too_long");
            }
            assertThat(backend.completionRequests.get()).isEqualTo(before + 1); // the small HTTP/2 one
            assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}").statusCode()).isEqualTo(200);
        }
    }

    private static HttpResponse<String> send(GatewayHarness gw, String header, String value) throws Exception {
        return gw.http.send(HttpRequest.newBuilder(gw.uri("/v1/completions")).header("content-type", "application/json")
                .header(header, value).POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"x\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPipeliningFloodIsAnsweredInOrderUpToTheBoundThenTheConnectionCloses() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(yaml(backend, "maxBodyBytes: 65536"))) {
            // a modest pipeline is answered whole, in order
            try (RawClient c = new RawClient(gw.server.port())) {
                String one = RawClient.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}", "HTTP/1.1");
                c.send(one.repeat(5) + RawClient.get("/health").replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"));
                String all = c.readToEnd(Duration.ofSeconds(10));
                assertThat(count(all, "HTTP/1.1 200")).isEqualTo(6);
                assertThat(all.lastIndexOf("hello from a")).isLessThan(all.indexOf("{\"status\":\"ok\"}"));
            }
            // 20,000 pipelined requests sent without reading: the gateway queues few, answers them, then closes
            try (RawClient c = new RawClient(gw.server.port())) {
                Thread flood = Thread.ofVirtual().start(() -> {
                    try {
                        c.send(RawClient.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}", "HTTP/1.1")
                                .repeat(20_000));
                    } catch (IOException e) {
                        // closed by the gateway
                    }
                });
                String all = c.readToEnd(Duration.ofSeconds(20));
                flood.join();
                int answered = count(all, "HTTP/1.1 200");
                assertThat(answered).isBetween(1, 2 * (ClientHandler.MAX_PIPELINED + 1));
            }
            assertThat(gw.metricsPage()).containsPattern(
                    "jetway_client_refusals_total\\{reason=\"pipeline_overflow\"} [1-9]");
            assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}").statusCode()).isEqualTo(200);
        }
    }

    private static int count(String text, String what) {
        return (text.length() - text.replace(what, "").length()) / what.length();
    }

    @Test
    void aClientThatStopsReadingHasItsUpstreamCancelledAtTheWriteStallDeadline() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "idleTimeout: 500ms",
                     List.of(backend.address())).replace("server: {port: 0,", "server: {writeStallTimeout: 2s, port: 0,"))) {
            backend.mode = FakeModelServer.Mode.ENDLESS_STREAM;
            backend.chunkBytes = 16 * 1024;
            try (RawClient c = new RawClient(gw.server.port())) {
                c.send(RawClient.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":true}",
                        "HTTP/1.1"));
                // read nothing: the gateway's buffers fill, the upstream is paused, then cancelled
                await().atMost(Duration.ofSeconds(15)).until(() -> backend.cancelledStreams.get() == 1);
                String page = gw.metricsPage();
                assertThat(page).contains("jetway_client_refusals_total{reason=\"write_stall\"} 1.0")
                        // a pause the gateway made is not the model server's silence
                        .contains("jetway_upstream_errors_total{kind=\"idle_timeout\"} 0.0");
                assertThat(gw.server.openConnections()).as("the client connection is closed").isZero();
                assertThat(c.closedWithin(Duration.ofSeconds(10))).as("the client sees the end").isTrue();
            }
            backend.mode = FakeModelServer.Mode.OK;
            backend.chunkBytes = 0;
            assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aStreamToAnHttp10ClientIsNotChunkedButEndsWithTheConnection() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(yaml(backend, "maxBodyBytes: 65536"))) {
            try (RawClient c = new RawClient(gw.server.port())) {
                c.send(RawClient.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":true}",
                        "HTTP/1.0"));
                String all = c.readToEnd(Duration.ofSeconds(10));
                String head = all.substring(0, all.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
                String body = all.substring(all.indexOf("\r\n\r\n") + 4);
                assertThat(head).startsWith("http/1.1 200").contains("connection: close")
                        .doesNotContain("transfer-encoding").doesNotContain("content-length");
                assertThat(body).startsWith("data: {").endsWith("data: [DONE]\n\n");
            }
            // HTTP/1.1 clients still get chunks
            try (RawClient c = new RawClient(gw.server.port())) {
                c.send(RawClient.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":true}",
                        "HTTP/1.1").replace("Host: gw\r\n", "Host: gw\r\nConnection: close\r\n"));
                assertThat(c.readToEnd(Duration.ofSeconds(10)).toLowerCase(java.util.Locale.ROOT))
                        .contains("transfer-encoding: chunked");
            }
        }
    }

    @Test
    void hugeDeeplyNestedOrInvalidUtf8BodiesAreRefusedAndBounded() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address())))) {
            // 100 MB against the default 8 MiB limit: 413, and the rest discarded as it arrives
            long size = 100L * 1024 * 1024;
            HttpResponse<String> big = gw.http.send(HttpRequest.newBuilder(gw.uri("/v1/completions"))
                    .header("content-type", "application/json").timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                            () -> new ZeroStream(size)), size)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(big.statusCode()).isEqualTo(413);
            assertThat(big.body()).contains("\"code\":\"request_too_large\"");

            String nested = "{\"model\":\"m\",\"prompt\":\"x\",\"extra\":" + "[".repeat(100_000) + "]".repeat(100_000)
                    + "}";
            assertError(gw.post("/v1/completions", nested), 400);
            String deepObject = "{\"model\":\"m\",\"prompt\":\"x\",\"extra\":" + "{\"a\":".repeat(50_000) + "1"
                    + "}".repeat(50_000) + "}";
            assertError(gw.post("/v1/completions", deepObject), 400);

            byte[] head = "{\"model\":\"m\",\"prompt\":\"".getBytes(StandardCharsets.UTF_8);
            byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE};
            byte[] tail = "\"}".getBytes(StandardCharsets.UTF_8);
            byte[] body = new byte[head.length + bad.length + tail.length];
            System.arraycopy(head, 0, body, 0, head.length);
            System.arraycopy(bad, 0, body, head.length, bad.length);
            System.arraycopy(tail, 0, body, head.length + bad.length, tail.length);
            HttpResponse<String> invalid = gw.http.send(HttpRequest.newBuilder(gw.uri("/v1/completions"))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertError(invalid, 400);
            assertThat(backend.completionRequests.get()).isZero();
            assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}").statusCode()).isEqualTo(200);
        }
    }

    private static void assertError(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.body()).startsWith("{\"error\":{\"message\":\"").doesNotContain("at com.", "Exception");
        assertThat(Pattern.compile("\\n\\s+at ").matcher(r.body()).find()).as("no stack trace").isFalse();
    }

    /** {@code size} bytes of a JSON-looking prefix and then spaces, made up as read. */
    private static final class ZeroStream extends java.io.InputStream {

        private final long size;
        private long read;

        ZeroStream(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            return read < size ? (read++ == 0 ? '{' : ' ') : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (read >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - read);
            java.util.Arrays.fill(b, off, off + n, (byte) ' ');
            if (read == 0) {
                b[off] = '{';
            }
            read += n;
            return n;
        }
    }
}
