package dev.jetway.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.scheduler.latency.LatencyModel;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway with policy {@code jetway-approximate} in front of two {@code jetway sim} replicas: every response, streamed
 * or not, teaches the pool's latency model with the tokens it generated, the model's error shows on the admin page,
 * and latency objective headers are validated before anything is scheduled.
 */
class LatencyModelEndToEndTest {

    private static final String MODEL = "sim-model";
    private static final int MAX_TOKENS = 8;
    private static SimCluster sim;
    private static GatewayHarness gw;

    @BeforeAll
    static void start() throws Exception {
        sim = SimCluster.start(SimOptions.defaults(MODEL).withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100"), 2);
        List<String> addresses = sim.replicas().stream().map(r -> "127.0.0.1:" + r.httpPort()).toList();
        gw = GatewayHarness.start(GatewayHarness.yaml("jetway-approximate", "", addresses)
                .replace("models: [m]", "models: [" + MODEL + "]") + "security: {debugRequests: true}\n");
    }

    @AfterAll
    static void stop() {
        gw.close();
        sim.close();
    }

    private static String completion(int i, boolean stream, boolean usage) {
        return "{\"model\":\"" + MODEL + "\",\"prompt\":\"tell me about request " + i + "\",\"max_tokens\":" + MAX_TOKENS
                + ",\"ignore_eos\":true,\"stream\":" + stream
                + (usage ? ",\"stream_options\":{\"include_usage\":true}" : "") + "}";
    }

    private static String chat(int i, boolean stream, boolean usage) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"chat " + i + "\"}],"
                + "\"max_tokens\":" + MAX_TOKENS + ",\"ignore_eos\":true,\"stream\":" + stream
                + (usage ? ",\"stream_options\":{\"include_usage\":true}" : "") + "}";
    }

    private static LatencyModel model() {
        return gw.server.routing().latencyModel("p");
    }

    /** Pool-wide observations of one kind. */
    private static long observations(LatencyModel.Kind kind) {
        return model().errors().stream().filter(e -> e.endpointId() == null && e.kind() == kind)
                .mapToLong(LatencyModel.PredictionError::total).sum();
    }

    private static void ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void streamedAndNonStreamedResponsesTeachTheModelWithTheirTokens() throws Exception {
        assertThat(model()).isNotNull();
        long ttft0 = observations(LatencyModel.Kind.TTFT);
        long tpot0 = observations(LatencyModel.Kind.TPOT);
        long e2e0 = observations(LatencyModel.Kind.E2E);
        for (int i = 0; i < 4; i++) {
            ok(gw.post("/v1/completions", completion(i, false, false)));
            ok(gw.post("/v1/chat/completions", chat(i, false, false)));
            ok(gw.post("/v1/chat/completions", chat(i, true, true)));
            ok(gw.post("/v1/completions", completion(i, true, true)));
        }
        // non-streamed bodies (usage.completion_tokens) and streams with a usage chunk: exact counts, so the mean
        // output the model learned is exactly what every response generated (the gateway reports a completion
        // just after the response's last bytes went out: wait for the last one)
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(observations(LatencyModel.Kind.E2E) - e2e0).isEqualTo(8);
            assertThat(observations(LatencyModel.Kind.TTFT) - ttft0).isEqualTo(8);
            assertThat(observations(LatencyModel.Kind.TPOT) - tpot0).isEqualTo(8);
        });
        assertThat(model().expectedOutputTokens(0)).isEqualTo(MAX_TOKENS);

        // streams without usage: counted chunk by chunk (the simulator may put several tokens in one chunk); TPOT
        // is learned from those with two content chunks or more
        int withTpot = 0;
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = gw.post("/v1/chat/completions", chat(100 + i, true, false));
            ok(r);
            assertThat(r.body()).doesNotContain("\"usage\"").endsWith("data: [DONE]\n\n");
            Matcher content = Pattern.compile("\"delta\":\\{\"content\":\"[^\"]").matcher(r.body());
            int chunks = 0;
            while (content.find()) {
                chunks++;
            }
            assertThat(chunks).isBetween(1, MAX_TOKENS);
            withTpot += chunks >= 2 ? 1 : 0;
        }
        int expectedTpot = 8 + withTpot;
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(observations(LatencyModel.Kind.TTFT) - ttft0).isEqualTo(11);
            assertThat(observations(LatencyModel.Kind.TPOT) - tpot0).isEqualTo(expectedTpot);
        });
        assertThat(model().expectedOutputTokens(0)).isBetween(1.0, (double) MAX_TOKENS);

        String page = gw.metricsPage();
        for (String kind : List.of("ttft", "tpot", "e2e")) {
            double poolError = value(page, "jetway_latency_prediction_error", Map.of("name", "p",
                    "model_server_endpoint", "", "kind", kind));
            assertThat(poolError).as(kind).isFinite().isGreaterThanOrEqualTo(0);
            assertThat(value(page, "jetway_latency_prediction_observations_total", Map.of("name", "p",
                    "model_server_endpoint", "", "kind", kind))).as(kind).isGreaterThan(0);
        }
        for (var replica : sim.replicas()) {
            // both replicas served some of these requests; each has its own error series
            String endpoint = "127.0.0.1:" + replica.httpPort();
            if (model().errors().stream().anyMatch(e -> endpoint.equals(e.endpointId()))) {
                assertThat(page).contains("model_server_endpoint=\"" + endpoint + "\"");
            }
        }
        assertThat(value(page, "llm_d_epp_request_predicted_ttft_seconds_count", Map.of("model_name", MODEL,
                "target_model_name", MODEL))).isGreaterThanOrEqualTo(19);
        assertThat(value(page, "llm_d_epp_request_predicted_tpot_seconds_count", Map.of("model_name", MODEL,
                "target_model_name", MODEL))).isGreaterThanOrEqualTo(19);
    }

    @Test
    void aMalformedObjectiveIs400NamingTheHeaderAndTheConnectionStaysUsable() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gw.server.port())) {
            RawResponse bad = exchange(s, "/v1/completions", completion(1, false, false),
                    Map.of("x-llm-d-slo-ttft-ms", "fast"));
            assertThat(bad.status).isEqualTo(400);
            assertThat(bad.headers.get("content-type")).isEqualTo("application/json");
            assertThat(bad.body).startsWith("{\"error\":{\"message\":\"header x-llm-d-slo-ttft-ms must be")
                    .contains("\"type\":\"invalid_request_error\"").contains("\"param\":\"x-llm-d-slo-ttft-ms\"");

            RawResponse legacy = exchange(s, "/v1/chat/completions", chat(1, false, false),
                    Map.of("x-slo-tpot-ms", "-5"));
            assertThat(legacy.status).isEqualTo(400);
            assertThat(legacy.body).contains("\"param\":\"x-slo-tpot-ms\"");

            // the same connection serves the next request, and well-formed objectives are accepted
            RawResponse good = exchange(s, "/v1/completions", completion(2, false, false),
                    Map.of("x-llm-d-slo-ttft-ms", "5000", "x-llm-d-slo-tpot-ms", "250.5"));
            assertThat(good.status).as(good.body).isEqualTo(200);
            assertThat(good.body).contains("\"completion_tokens\":" + MAX_TOKENS);
        }
        assertThat(gw.metricsPage()).containsPattern(
                "llm_d_epp_request_error_total\\{error_code=\"400\",model_name=\"" + MODEL + "\"[^}]*\\} [1-9]");
    }

    @Test
    void aRequestWithAnObjectiveIsRoutedByTheSloFilter() throws Exception {
        HttpResponse<String> r = gw.http.send(HttpRequest.newBuilder(gw.uri("/v1/completions"))
                .header("content-type", "application/json").header("x-jetway-debug", "1")
                .header("x-llm-d-slo-ttft-ms", "60000")
                .POST(HttpRequest.BodyPublishers.ofString(completion(7, false, false))).build(),
                HttpResponse.BodyHandlers.ofString());
        ok(r);
        assertThat(r.headers().firstValue("x-jetway-decision").orElseThrow()).contains("pred{ttft=");
    }

    // --- a minimal HTTP/1.1 client on one socket, so that the test knows both requests used one connection ---

    private record RawResponse(int status, Map<String, String> headers, String body) {
    }

    private static RawResponse exchange(Socket s, String path, String json, Map<String, String> headers)
            throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nhost: test\r\n"
                + "content-type: application/json\r\ncontent-length: " + body.length + "\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        OutputStream out = s.getOutputStream();
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        InputStream in = s.getInputStream(); // unbuffered: nothing of a later response may be read ahead
        String status = line(in);
        Map<String, String> responseHeaders = new TreeMap<>();
        String l;
        while (!(l = line(in)).isEmpty()) {
            int c = l.indexOf(':');
            responseHeaders.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
        }
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        if (responseHeaders.containsKey("content-length")) {
            content.write(in.readNBytes(Integer.parseInt(responseHeaders.get("content-length"))));
        } else {
            int size;
            while ((size = Integer.parseInt(line(in).trim(), 16)) > 0) {
                content.write(in.readNBytes(size));
                line(in);
            }
            line(in);
        }
        return new RawResponse(Integer.parseInt(status.split(" ")[1]), responseHeaders,
                content.toString(StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        if (c < 0 && sb.isEmpty()) {
            throw new IOException("connection closed");
        }
        return sb.toString();
    }

    /** The value of one Prometheus series, labels in any order; fails if absent. */
    static double value(String page, String name, Map<String, String> labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$").matcher(page);
        while (m.find()) {
            Map<String, String> found = new TreeMap<>();
            Matcher l = Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(m.group(1));
            while (l.find()) {
                found.put(l.group(1), l.group(2));
            }
            if (found.equals(new TreeMap<>(labels))) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no series " + name + labels + " on the page:\n" + page);
    }
}
