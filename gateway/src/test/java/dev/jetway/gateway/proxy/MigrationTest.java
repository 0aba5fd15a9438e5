package dev.jetway.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Request migration against real sockets: a model server that dies or stalls mid-stream (a {@link FakeModelServer})
 * in front of a simulated vLLM replica that takes the rest; the client must get one complete, well-formed stream.
 */
class MigrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TOKENS = 12;

    private FakeModelServer bad;
    private FakeModelServer bad2;
    private SimCluster sim;
    private GatewayHarness gw;

    @AfterEach
    void stop() throws Exception {
        if (gw != null) {
            gw.close();
        }
        if (sim != null) {
            sim.close();
        }
        if (bad != null) {
            bad.close();
        }
        if (bad2 != null) {
            bad2.close();
        }
    }

    private String simAddress() {
        return "127.0.0.1:" + sim.replicas().getFirst().httpPort();
    }

    private void startSim() {
        sim = SimCluster.start(SimOptions.defaults("m").withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100"), 1);
    }

    /** One pool {@code p} of model {@code m}, endpoints in turn, with the given pool and upstream settings. */
    private static String yaml(String picker, String poolExtra, String upstreamExtra, List<String> addresses) {
        return yaml(picker, poolExtra, upstreamExtra, "", addresses);
    }

    private static String yaml(String picker, String poolExtra, String upstreamExtra, String serverExtra,
                               List<String> addresses) {
        StringBuilder y = new StringBuilder("server: {port: 0, adminPort: 0, host: 127.0.0.1")
                .append(serverExtra.isEmpty() ? "" : ", " + serverExtra).append("}\n")
                .append("upstream: {connectTimeout: 500ms, retryBackoff: 1ms")
                .append(upstreamExtra.isEmpty() ? "" : ", " + upstreamExtra).append("}\n")
                .append("dataLayer: {scrapeInterval: 20ms, scrapeTimeout: 3s}\n")
                .append("pools:\n  - name: p\n    models: [m]\n");
        y.append("    endpointPicker:").append(picker.contains("\n") ? " |\n" + picker.indent(6) : " " + picker + "\n");
        if (!poolExtra.isEmpty()) {
            y.append("    ").append(poolExtra).append('\n');
        }
        y.append("    endpoints:\n");
        for (String a : addresses) {
            y.append("      - {address: \"").append(a).append("\"}\n");
        }
        return y.toString();
    }

    private static String completion(String prompt) {
        return "{\"model\":\"m\",\"prompt\":\"" + prompt + "\",\"max_tokens\":" + MAX_TOKENS + ",\"ignore_eos\":true,"
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
    }

    private static List<String> dataEvents(String body) {
        List<String> out = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            if (event.startsWith("data: ")) {
                out.add(event.substring(6));
            }
        }
        return out;
    }

    /** One complete, well-formed stream: one id, the requested tokens, usage for the whole answer, one [DONE]. */
    private static void assertCompleteStream(String body, String prompt) throws Exception {
        List<String> events = dataEvents(body);
        assertThat(events).as(body).isNotEmpty();
        assertThat(events.getLast()).as(body).isEqualTo("[DONE]");
        assertThat(events.stream().filter("[DONE]"::equals)).as(body).hasSize(1);
        StringBuilder text = new StringBuilder();
        List<String> ids = new ArrayList<>();
        JsonNode usage = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = JSON.readTree(e);
            assertThat(chunk.has("error")).as(body).isFalse();
            ids.add(chunk.get("id").asText());
            for (JsonNode choice : chunk.get("choices")) {
                text.append(choice.path("text").asText(""));
            }
            if (chunk.hasNonNull("usage")) {
                usage = chunk.get("usage");
            }
        }
        assertThat(ids).as(body).containsOnly(ids.getFirst());
        assertThat(SimpleWordTokenizer.instance().count(text.toString())).as(body).isEqualTo(MAX_TOKENS);
        assertThat(usage).as(body).isNotNull();
        assertThat(usage.get("completion_tokens").asInt()).as(body).isEqualTo(MAX_TOKENS);
        assertThat(usage.get("prompt_tokens").asInt()).as(body).isEqualTo(SimpleWordTokenizer.instance().count(prompt));
        assertThat(usage.get("total_tokens").asInt()).isEqualTo(MAX_TOKENS + SimpleWordTokenizer.instance().count(prompt));
    }

    /** A series' value; 0 when the page does not have it (yet). */
    private static double metric(String page, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(page);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /**
     * On a connection of its own: a stream that ends with an error event closes its connection, and a kept-alive
     * client may already have picked it for the next request.
     */
    private HttpResponse<String> post(String body) throws Exception {
        return post(body, null);
    }

    private HttpResponse<String> post(String body, String requestId) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpRequest.Builder r = HttpRequest.newBuilder(gw.uri("/v1/completions")).timeout(Duration.ofSeconds(20))
                    .header("content-type", "application/json");
            if (requestId != null) {
                r.header("x-request-id", requestId);
            }
            return client.send(r.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void aStreamWhoseServerDiesMidwayIsFinishedByAnotherEndpoint() throws Exception {
        bad = new FakeModelServer("bad");
        bad.mode = FakeModelServer.Mode.DIE_MID_STREAM; // two events, then a reset
        startSim();
        String picker = """
                apiVersion: llm-d.ai/v1
                kind: EndpointPickerConfig
                plugins:
                - type: predicted-latency-producer
                - type: round-robin-picker
                """;
        gw = GatewayHarness.start(yaml(picker, "", "", List.of(bad.address(), simAddress())));
        int direct = 0;
        int migrated = 0;
        for (int i = 0; i < 8; i++) {
            String prompt = "question number " + i;
            HttpResponse<String> r = post(completion(prompt));
            assertThat(r.statusCode()).isEqualTo(200);
            assertCompleteStream(r.body(), prompt);
            if (r.headers().firstValue("x-jetway-endpoint").orElseThrow().equals(bad.address())) {
                migrated++;
                // the client saw the dead server's two events first, then the rest under the same id
                assertThat(r.body()).startsWith(bad.sseEvent(0) + bad.sseEvent(1));
            } else {
                direct++;
            }
        }
        // in turn: a continuation takes the healthy replica's turn, so the next request starts on the dead one again
        assertThat(migrated).isPositive();
        assertThat(direct + migrated).isEqualTo(8);
        assertThat(bad.completionRequests.get()).isEqualTo(migrated);
        String page = gw.metricsPage();
        assertThat(metric(page, "jetway_migrations_total{outcome=\"resumed\"}")).isEqualTo(migrated);
        assertThat(metric(page, "jetway_upstream_errors_total{kind=\"reset_mid_response\"}")).isEqualTo(migrated);
        // the continuations taught the latency model nothing: the replica's TTFT samples are its direct requests
        assertThat(metric(page, "jetway_latency_prediction_observations_total{kind=\"ttft\",model_server_endpoint=\""
                + simAddress() + "\",name=\"p\"}")).isEqualTo(direct);
        assertThat(page).containsPattern("llm_d_epp_request_output_tokens_sum\\{[^}]*\\} " + (8 * MAX_TOKENS) + "\\.0");
    }

    /**
     * The audit record of a migrated stream (docs/governance.md, "A migrated stream"): one record, the outcome the
     * client saw, every endpoint that got the request in order (the dead one, then the one that finished), the
     * migration, and the whole answer's tokens and text, not the last leg's; a stream whose migration ran out of
     * endpoints is recorded as failed with the error event's reason.
     */
    @Test
    void aMigratedStreamsAuditRecordNamesEveryLegAndCountsTheWholeAnswer() throws Exception {
        bad = new FakeModelServer("bad");
        bad.mode = FakeModelServer.Mode.DIE_MID_STREAM;
        bad2 = new FakeModelServer("bad2");
        bad2.mode = FakeModelServer.Mode.DIE_MID_STREAM;
        startSim();
        Path audit = Files.createTempFile("jetway-migration-audit", ".jsonl");
        Files.delete(audit);
        try {
            gw = GatewayHarness.start(yaml("round-robin", "", "", List.of(bad.address(), simAddress()))
                    + "audit: {file: \"" + audit + "\", includeCompletion: true}\n");
            String migratedId = null;
            String migratedPrompt = null;
            for (int i = 0; i < 2; i++) {
                String prompt = "audited question " + i;
                HttpResponse<String> r = post(completion(prompt), "audit-" + i);
                assertCompleteStream(r.body(), prompt);
                if (r.headers().firstValue("x-jetway-endpoint").orElseThrow().equals(bad.address())) {
                    migratedId = "audit-" + i;
                    migratedPrompt = prompt;
                }
            }
            assertThat(migratedId).as("round-robin sends one of two to the dying server").isNotNull();
            JsonNode record = auditRecords(audit, 2).get(migratedId);
            assertThat(record.get("outcome").asText()).isEqualTo("ok");
            assertThat(record.get("status").asInt()).isEqualTo(200);
            assertThat(record.get("upstreamStatus").asInt()).isEqualTo(200);
            assertThat(record.get("error").isNull()).isTrue();
            assertThat(record.get("attempts").asInt()).isEqualTo(2);
            assertThat(record.get("endpoints")).extracting(JsonNode::asText).containsExactly(bad.address(),
                    simAddress());
            assertThat(record.get("endpoint").asText()).as("the endpoint that finished the stream").isEqualTo(
                    simAddress());
            assertThat(record.get("migrations").asInt()).isEqualTo(1);
            JsonNode tokens = record.get("tokens");
            assertThat(tokens.get("completion").asInt()).as("both legs' tokens").isEqualTo(MAX_TOKENS);
            assertThat(tokens.get("prompt").asInt()).as("the client's prompt, not the continuation's")
                    .isEqualTo(SimpleWordTokenizer.instance().count(migratedPrompt));
            String text = record.get("completion").asText();
            assertThat(text).as("both legs' text").startsWith(" w0 w1");
            assertThat(SimpleWordTokenizer.instance().count(text)).isEqualTo(MAX_TOKENS);

            // two dying servers and nothing else: the continuation dies too, and the stream ends with an error
            gw.close();
            Files.delete(audit);
            gw = GatewayHarness.start(yaml("round-robin", "", "", List.of(bad.address(), bad2.address()))
                    + "audit: {file: \"" + audit + "\"}\n");
            assertThat(post(completion("doomed"), "doomed").body()).contains("no other ready endpoint");
            JsonNode failed = auditRecords(audit, 1).get("doomed");
            assertThat(failed.get("outcome").asText()).isEqualTo("failed");
            assertThat(failed.get("status").asInt()).isEqualTo(502);
            assertThat(failed.get("error").get("message").asText()).contains("no other ready endpoint");
            assertThat(failed.get("attempts").asInt()).isEqualTo(2);
            assertThat(failed.get("endpoints")).extracting(JsonNode::asText).containsExactlyInAnyOrder(bad.address(),
                    bad2.address());
            assertThat(failed.get("migrations").asInt()).isEqualTo(1);
        } finally {
            Files.deleteIfExists(audit);
        }
    }

    /** The audit file's records by request id, once it has {@code n} (and no more a moment later). */
    private static java.util.Map<String, JsonNode> auditRecords(Path file, int n) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file) && Files.readAllLines(file).size() >= n);
        Thread.sleep(200); // a doubled record would be written by now
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(n);
        java.util.Map<String, JsonNode> byId = new java.util.HashMap<>();
        for (String line : lines) {
            JsonNode record = JSON.readTree(line);
            byId.put(record.get("requestId").asText(), record);
        }
        return byId;
    }

    @Test
    void aStalledStreamIsMovedAfterTheIdleTimeout() throws Exception {
        bad = new FakeModelServer("bad");
        bad.mode = FakeModelServer.Mode.STALL_MID_STREAM;
        startSim();
        gw = GatewayHarness.start(yaml("round-robin", "", "idleTimeout: 300ms",
                List.of(bad.address(), simAddress())));
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = post(completion("stalled " + i));
            assertCompleteStream(r.body(), "stalled " + i);
        }
        // each stalled request was cancelled there (the engine would abort it)
        int stalled = bad.completionRequests.get();
        assertThat(stalled).isPositive();
        await().atMost(Duration.ofSeconds(5)).until(() -> bad.cancelledStreams.get() == stalled);
        assertThat(metric(gw.metricsPage(), "jetway_migrations_total{outcome=\"resumed\"}")).isEqualTo(stalled);
    }

    @Test
    void aStreamSilentBecauseItsClientStopsReadingIsNotMoved() throws Exception {
        bad = new FakeModelServer("firehose");
        bad2 = new FakeModelServer("firehose2");
        for (FakeModelServer f : List.of(bad, bad2)) {
            f.mode = FakeModelServer.Mode.ENDLESS_STREAM;
            f.chunkBytes = 16 * 1024;
        }
        // the idle timeout would fire long before the write-stall timeout if the paused stream counted as silent
        gw = GatewayHarness.start(yaml("round-robin", "", "idleTimeout: 300ms", "writeStallTimeout: 2s",
                List.of(bad.address(), bad2.address())));
        String body = "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":true}"; // no max_tokens: always more to come
        try (Socket stuck = new Socket()) {
            stuck.setReceiveBufferSize(4096);
            stuck.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), gw.server.port()));
            OutputStream out = stuck.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                    + "content-length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // the gateway stops reading the model server for this client; after the write-stall timeout it gives up
            await().atMost(Duration.ofSeconds(15)).until(() -> metric(gw.metricsPage(),
                    "jetway_client_refusals_total{reason=\"write_stall\"}") >= 1);
        }
        // the silence was the client's: no other endpoint was asked to continue, and nothing timed out upstream
        Thread.sleep(1000);
        assertThat(bad.completionRequests.get() + bad2.completionRequests.get()).isEqualTo(1);
        assertThat(metric(gw.metricsPage(), "jetway_upstream_errors_total{kind=\"idle_timeout\"}")).isZero();
        assertThat(metric(gw.metricsPage(), "jetway_migrations_total{outcome=\"resumed\"}")).isZero();
    }

    @Test
    void withMigrationOffTheStreamEndsWithAnErrorEvent() throws Exception {
        bad = new FakeModelServer("bad");
        bad.mode = FakeModelServer.Mode.DIE_MID_STREAM;
        startSim();
        gw = GatewayHarness.start(yaml("round-robin", "migrationLimit: 0", "",
                List.of(bad.address(), simAddress())));
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            bodies.add(post(completion("off " + i)).body());
        }
        String cut = bodies.stream().filter(b -> b.startsWith(bad.sseEvent(0))).findFirst().orElseThrow();
        assertThat(cut).endsWith("\n\n").contains("data: {\"error\":{\"message\":").contains("mid-response")
                .contains("migrationLimit: 0").doesNotContain("[DONE]");
        assertThat(gw.metricsPage()).contains("jetway_migrations_total{outcome=\"disabled\"} 1.0");
    }

    @Test
    void theLimitBoundsHowOftenOneStreamMoves() throws Exception {
        bad = new FakeModelServer("bad");
        bad2 = new FakeModelServer("bad2");
        bad.mode = FakeModelServer.Mode.DIE_MID_STREAM;
        bad2.mode = FakeModelServer.Mode.DIE_MID_STREAM;
        gw = GatewayHarness.start(yaml("round-robin", "migrationLimit: 1", "",
                List.of(bad.address(), bad2.address())));
        String body = post(completion("doomed")).body();
        // two events from each, in one stream, then the error: no half event, no [DONE]
        assertThat(dataEvents(body)).hasSize(5);
        assertThat(body).contains("migrationLimit").doesNotContain("[DONE]");
        String page = gw.metricsPage();
        assertThat(page).contains("jetway_migrations_total{outcome=\"resumed\"} 1.0")
                .contains("jetway_migrations_total{outcome=\"limit_reached\"} 1.0");
    }

    @Test
    void aStreamThatCannotBeContinuedFaithfullyEndsWithAnErrorEventSayingWhy() throws Exception {
        bad = new FakeModelServer("bad");
        bad.mode = FakeModelServer.Mode.DIE_MID_STREAM;
        startSim();
        gw = GatewayHarness.start(yaml("round-robin", "", "", List.of(bad.address(), simAddress())));
        String request = "{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":5,\"stream\":true,"
                + "\"response_format\":{\"type\":\"json_object\"}}";
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            bodies.add(post(request).body());
        }
        String cut = bodies.stream().filter(b -> b.startsWith(bad.sseEvent(0))).findFirst().orElseThrow();
        assertThat(cut).contains("structured output").doesNotContain("[DONE]");
        assertThat(gw.metricsPage()).contains("jetway_migrations_total{outcome=\"not_migratable\"} 1.0");
    }

    @Test
    void withNoOtherEndpointTheStreamEndsWithAnErrorEvent() throws Exception {
        bad = new FakeModelServer("bad");
        bad.mode = FakeModelServer.Mode.DIE_MID_STREAM;
        gw = GatewayHarness.start(yaml("round-robin", "", "", List.of(bad.address())));
        String body = post(completion("alone")).body();
        assertThat(body).startsWith(bad.sseEvent(0) + bad.sseEvent(1)).contains("mid-response")
                .contains("no other ready endpoint").doesNotContain("[DONE]");
        assertThat(gw.metricsPage()).contains("jetway_migrations_total{outcome=\"no_endpoint\"} 1.0");
    }
}
