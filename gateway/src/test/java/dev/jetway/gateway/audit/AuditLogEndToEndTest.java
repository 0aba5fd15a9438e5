package dev.jetway.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log against a real gateway and model server: one valid JSON record per request whatever its end (success,
 * stream, 400, 413, 429, 404, a client that went away), text with the redaction rules applied, rotation by size, and a
 * full queue that drops and counts instead of holding requests up.
 */
class AuditLogEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static String auditYaml(String file, String extra) {
        return "audit:\n  file: " + file + "\n" + extra;
    }

    private static HttpResponse<String> post(GatewayHarness gw, String id, String tenant, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(body.contains("\"messages\"") ? "/v1/chat/completions"
                        : "/v1/completions")).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json").header("x-request-id", id)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (tenant != null) {
            b.header("x-llm-d-inference-fairness-id", tenant);
        }
        return gw.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The records of {@code file} once there are {@code n}, checked to stay {@code n} (none doubled). */
    private static Map<String, JsonNode> awaitRecords(Path file, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
            if (lines.size() >= n) {
                break;
            }
            Thread.sleep(20);
        }
        Thread.sleep(300); // a doubled record would be written by now
        lines = Files.readAllLines(file);
        assertThat(lines).hasSize(n);
        Map<String, JsonNode> byId = new HashMap<>();
        for (String line : lines) {
            JsonNode record = JSON.readTree(line);
            assertThat(record.isObject()).isTrue();
            assertThat(byId.put(record.get("requestId").asText(), record)).as("one record per request").isNull();
        }
        return byId;
    }

    @Test
    void everyRequestGetsExactlyOneRecordHoweverItEnds() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                     .replace("host: 127.0.0.1}", "host: 127.0.0.1, maxBodyBytes: 4096}")
                     + "tenantRateLimits:\n  tenants:\n    tiny: {tokensPerSecond: 1, burst: 10}\n"
                     + auditYaml(file.toString(), "  includePrompt: true\n  includeCompletion: true\n"
                     + "  redact:\n    - {name: email, pattern: \"[\\\\w.+-]+@[\\\\w-]+(\\\\.[\\\\w-]+)+\", "
                     + "replacement: \"[email]\"}\n"))) {
            assertThat(post(gw, "ok", "team-a", "{\"model\":\"m\",\"prompt\":\"write to alice@example.com\"}")
                    .statusCode()).isEqualTo(200);
            HttpResponse<String> stream = post(gw, "stream", null,
                    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}");
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(post(gw, "bad-json", null, "{\"model\":\"m\",").statusCode()).isEqualTo(400);
            // the first request of a tenant may overdraw its bucket; the next one waits
            assertThat(post(gw, "tiny-first", "tiny", "{\"model\":\"m\",\"prompt\":\"" + "x".repeat(400) + "\"}")
                    .statusCode()).isEqualTo(200);
            assertThat(post(gw, "throttled", "tiny", "{\"model\":\"m\",\"prompt\":\"" + "x".repeat(400) + "\"}")
                    .statusCode()).isEqualTo(429);
            assertThat(post(gw, "unknown-model", null, "{\"model\":\"nope\",\"prompt\":\"x\"}").statusCode())
                    .isEqualTo(404);
            assertThat(post(gw, "too-large", "team-b", "{\"model\":\"m\",\"prompt\":\"" + "x".repeat(5000) + "\"}")
                    .statusCode()).isEqualTo(413);
            backend.chunkDelayMillis = 200;
            backend.streamChunks = 50;
            cancelMidStream(gw.server.port(), "cancelled");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (backend.cancelledStreams.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // the backend saw the original text: audit redaction only touches the record
            assertThat(new String(backend.bodies.getFirst(), StandardCharsets.UTF_8)).contains("alice@example.com");

            Map<String, JsonNode> records = awaitRecords(file, 8);
            JsonNode ok = records.get("ok");
            assertThat(ok.get("outcome").asText()).isEqualTo("ok");
            assertThat(ok.get("status").asInt()).isEqualTo(200);
            assertThat(ok.get("tenant").asText()).isEqualTo("team-a");
            assertThat(ok.get("model").asText()).isEqualTo("m");
            assertThat(ok.get("pool").asText()).isEqualTo("p");
            assertThat(ok.get("endpoint").asText()).isEqualTo(backend.address());
            assertThat(ok.get("endpoints")).extracting(JsonNode::asText).containsExactly(backend.address());
            assertThat(ok.get("migrations").asInt()).isZero();
            assertThat(ok.get("decision").asText()).isNotBlank();
            assertThat(ok.get("tokens").get("prompt").asLong()).isEqualTo(3); // the model server's usage
            assertThat(ok.get("tokens").get("completion").asLong()).isEqualTo(3);
            assertThat(ok.get("timings").get("totalMs").asDouble()).isPositive();
            assertThat(ok.get("timings").get("ttftMs").asDouble()).isPositive();
            assertThat(ok.get("prompt").asText()).isEqualTo("write to [email]");
            assertThat(ok.get("completion").asText()).isEqualTo(" hello from a");

            JsonNode streamed = records.get("stream");
            assertThat(streamed.get("outcome").asText()).isEqualTo("ok");
            assertThat(streamed.get("stream").asBoolean()).isTrue();
            assertThat(streamed.get("tenant").asText()).isEqualTo("default-flow");
            assertThat(streamed.get("tokens").get("completion").asLong()).isEqualTo(5);
            assertThat(streamed.get("completion").asText()).isEqualTo(" w0 w1 w2 w3 w4");
            assertThat(streamed.get("prompt").get(0).get("role").asText()).isEqualTo("user");
            assertThat(streamed.get("prompt").get(0).get("content").asText()).isEqualTo("hi");

            JsonNode bad = records.get("bad-json");
            assertThat(bad.get("outcome").asText()).isEqualTo("rejected");
            assertThat(bad.get("status").asInt()).isEqualTo(400);
            assertThat(bad.get("model").isNull()).isTrue();
            assertThat(bad.get("error").get("message").asText()).isNotBlank();
            assertThat(bad.get("attempts").asInt()).isZero();
            assertThat(bad.get("endpoints")).isEmpty();

            JsonNode throttled = records.get("throttled");
            assertThat(throttled.get("outcome").asText()).isEqualTo("rejected");
            assertThat(throttled.get("status").asInt()).isEqualTo(429);
            assertThat(throttled.get("error").get("message").asText()).contains("tenant tiny");
            assertThat(throttled.get("tenant").asText()).isEqualTo("tiny");

            assertThat(records.get("unknown-model").get("status").asInt()).isEqualTo(404);

            JsonNode tooLarge = records.get("too-large");
            assertThat(tooLarge.get("status").asInt()).isEqualTo(413);
            assertThat(tooLarge.get("outcome").asText()).isEqualTo("rejected");
            assertThat(tooLarge.get("tenant").asText()).isEqualTo("team-b");
            assertThat(tooLarge.get("api").asText()).isEqualTo("/v1/completions");
            assertThat(tooLarge.get("endpoints")).isEmpty();
            assertThat(tooLarge.get("migrations").asInt()).isZero();

            JsonNode cancelled = records.get("cancelled");
            assertThat(cancelled.get("outcome").asText()).isEqualTo("cancelled");
            assertThat(cancelled.get("status").asInt()).isEqualTo(499);
            assertThat(cancelled.get("upstreamStatus").asInt()).isEqualTo(200);

            String metrics = gw.metricsPage();
            assertThat(metrics).contains("jetway_audit_records_written_total{sink=\"file\"} 8.0");
            assertThat(metrics).contains("jetway_audit_records_dropped_total 0.0");
        }
    }

    /** A streaming request whose client reads the response head and a chunk, then goes away. */
    private static void cancelMidStream(int port, String id) throws IOException {
        String body = "{\"model\":\"m\",\"prompt\":\"long\",\"stream\":true}";
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                    + "x-request-id: " + id + "\r\ncontent-length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String seen = "";
            byte[] buf = new byte[1024];
            while (!seen.contains("data:")) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                seen += new String(buf, 0, n, StandardCharsets.US_ASCII);
            }
        }
    }

    @Test
    void theFileRotatesBySizeAndKeepsTheConfiguredNumberOfFiles() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                     + auditYaml(file.toString(), "  maxFileBytes: 4096\n  maxFiles: 2\n"))) {
            int n = 60;
            for (int i = 0; i < n; i++) {
                assertThat(post(gw, "r" + i, null, "{\"model\":\"m\",\"prompt\":\"x\"}").statusCode()).isEqualTo(200);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!gw.metricsPage().contains("jetway_audit_records_written_total{sink=\"file\"} " + n + ".0")
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(Files.exists(dir.resolve("audit.jsonl.1"))).isTrue();
            assertThat(Files.exists(dir.resolve("audit.jsonl.2"))).isTrue();
            assertThat(Files.exists(dir.resolve("audit.jsonl.3"))).isFalse();
            List<String> ids = new ArrayList<>();
            for (String name : List.of("audit.jsonl.2", "audit.jsonl.1", "audit.jsonl")) {
                Path f = dir.resolve(name);
                assertThat(Files.size(f)).isLessThanOrEqualTo(4096);
                for (String line : Files.readAllLines(f)) {
                    ids.add(JSON.readTree(line).get("requestId").asText());
                }
            }
            // the newest records, oldest first, none missing between and none doubled; the oldest files are gone
            assertThat(ids.size()).isBetween(10, n - 1);
            assertThat(ids.getLast()).isEqualTo("r" + (n - 1));
            int first = n - ids.size();
            for (int i = 0; i < ids.size(); i++) {
                assertThat(ids.get(i)).isEqualTo("r" + (first + i));
            }
        }
    }

    @Test
    void aFullQueueDropsAndCountsWithoutHoldingRequestsUp() throws Exception {
        // a FIFO nobody reads yet: the writer blocks opening it, as on a hung disk
        Path fifo = dir.resolve("audit.fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        int n = 30;
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                     + auditYaml(fifo.toString(), "  queueCapacity: 4\n"))) {
            for (int i = 0; i < n; i++) {
                long start = System.nanoTime();
                assertThat(post(gw, "r" + i, null, "{\"model\":\"m\",\"prompt\":\"x\"}").statusCode()).isEqualTo(200);
                // generous: a blocked writer must not hold a request up at all
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
                if (i == 0) {
                    Thread.sleep(300); // the writer has taken the first record and hangs opening the file
                }
            }
            double dropped = counter(gw.metricsPage(), "jetway_audit_records_dropped_total");
            // the writer holds one record, the queue four: everything else was dropped
            assertThat(dropped).isEqualTo(n - 5);
            List<String> lines = new ArrayList<>();
            try (BufferedReader reader = Files.newBufferedReader(fifo)) {
                String line;
                while (lines.size() < n - dropped && (line = reader.readLine()) != null) {
                    lines.add(line);
                }
            }
            assertThat(lines).hasSize(5);
            for (String line : lines) {
                assertThat(JSON.readTree(line).get("status").asInt()).isEqualTo(200);
            }
        }
    }

    @Test
    void recordsGoToAnOtlpCollectorAsLogRecords() throws Exception {
        List<String> exports = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer collector = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 10);
        collector.createContext("/v1/logs", exchange -> {
            exports.add(exchange.getRequestHeaders().getFirst("content-type") + "|" + exchange.getRequestHeaders()
                    .getFirst("x-api-key") + "|" + new String(exchange.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/logs";
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                     + "audit:\n  otlp: {endpoint: \"" + endpoint + "\", headers: {x-api-key: k1}, "
                     + "serviceName: gw-test}\n")) {
            assertThat(post(gw, "one", "team-a", "{\"model\":\"m\",\"prompt\":\"x\"}").statusCode()).isEqualTo(200);
            assertThat(post(gw, "two", null, "{\"model\":\"nope\",\"prompt\":\"x\"}").statusCode()).isEqualTo(404);
            Map<String, JsonNode> records = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (records.size() < 2 && System.nanoTime() < deadline) {
                records.clear();
                for (String export : exports) {
                    String[] parts = export.split("\\|", 3);
                    assertThat(parts[0]).isEqualTo("application/json");
                    assertThat(parts[1]).isEqualTo("k1");
                    JsonNode resource = JSON.readTree(parts[2]).get("resourceLogs").get(0);
                    assertThat(resource.get("resource").get("attributes").get(0).get("value").get("stringValue")
                            .asText()).isEqualTo("gw-test");
                    for (JsonNode log : resource.get("scopeLogs").get(0).get("logRecords")) {
                        JsonNode record = JSON.readTree(log.get("body").get("stringValue").asText());
                        assertThat(Long.parseLong(log.get("timeUnixNano").asText())).isPositive();
                        records.put(record.get("requestId").asText(), log);
                    }
                }
                Thread.sleep(20);
            }
            assertThat(records).containsOnlyKeys("one", "two");
            assertThat(records.get("two").get("severityText").asText()).isEqualTo("WARN");
            assertThat(records.get("one").get("attributes").toString()).contains("jetway.tenant")
                    .contains("team-a");
            // the counter moves once the collector's answer is back, a moment after it has the records
            String written = "jetway_audit_records_written_total{sink=\"otlp\"} 2.0";
            long counted = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!gw.metricsPage().contains(written) && System.nanoTime() < counted) {
                Thread.sleep(20);
            }
            assertThat(gw.metricsPage()).contains(written);
        } finally {
            collector.stop(0);
        }
    }

    private static double counter(String page, String series) {
        for (String line : page.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError(series + " not on the metrics page");
    }
}
