package dev.jetway.gateway.pd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every way a split request can fail, against real sockets: fake model servers that misbehave on cue. Each case ends
 * with a defined outcome (the next endpoint, aggregated serving only when configured, or an OpenAI error with the
 * right status) within its timeout, and is counted.
 */
class PdFailureMatrixTest {

    /** A vLLM NixlConnector prefill answer, with a key a newer engine might add. */
    static final String PREFILL_ANSWER = "{\"id\":\"cmpl-p\",\"object\":\"text_completion\",\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"text\":\"a\",\"finish_reason\":\"length\"}],"
            + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":1,\"total_tokens\":13,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":8}},"
            + "\"kv_transfer_params\":{\"do_remote_prefill\":true,\"do_remote_decode\":false,"
            + "\"remote_block_ids\":[1,2,3],\"remote_engine_id\":\"5b5fb28f\",\"remote_request_id\":\"r1\","
            + "\"remote_host\":\"ahost\",\"remote_port\":4032,\"tp_size\":1,\"from_a_newer_engine\":{\"k\":[1]}}}";
    private static final String REQUEST = "{\"model\":\"m\",\"prompt\":\"a long prompt\",\"max_tokens\":5}";
    private static final String STREAM_REQUEST =
            "{\"model\":\"m\",\"prompt\":\"a long prompt\",\"max_tokens\":5,\"stream\":true}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<FakeModelServer> servers = new ArrayList<>();
    private GatewayHarness gw;

    @AfterEach
    void stop() throws Exception {
        if (gw != null) {
            gw.close();
        }
        for (FakeModelServer s : servers) {
            s.close();
        }
    }

    private FakeModelServer prefill(String name) throws Exception {
        FakeModelServer s = new FakeModelServer(name);
        s.jsonAnswer = PREFILL_ANSWER;
        servers.add(s);
        return s;
    }

    private FakeModelServer decode(String name) throws Exception {
        FakeModelServer s = new FakeModelServer(name);
        servers.add(s);
        return s;
    }

    private void start(List<PdYaml.Member> members, boolean fallback, String disaggregation) throws Exception {
        gw = GatewayHarness.start(PdYaml.pool("m", members, fallback, disaggregation, ", maxRetries: 1"));
    }

    /**
     * Starts with every member in rotation, then makes {@code server} misbehave: an endpoint failing from the start
     * never passes its first health check, so it would never get the request these cases are about.
     */
    private void startThenBreak(List<PdYaml.Member> members, boolean fallback, String disaggregation,
                                FakeModelServer server, FakeModelServer.Mode mode) throws Exception {
        start(members, fallback, disaggregation);
        gw.awaitInRotation(members.size());
        server.mode = mode;
    }

    private static PdYaml.Member p(FakeModelServer s) {
        return new PdYaml.Member(s.address(), "prefill");
    }

    private static PdYaml.Member d(FakeModelServer s) {
        return new PdYaml.Member(s.address(), "decode");
    }

    private static String closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    private static JsonNode body(FakeModelServer s, int i) throws Exception {
        return JSON.readTree(s.bodies.get(i));
    }

    private String metrics() throws Exception {
        return gw.metricsPage();
    }

    @Test
    void theHappyPathSendsBothLegsAsTheNixlConnectorExpects() throws Exception {
        FakeModelServer pre = prefill("pre");
        FakeModelServer dec = decode("dec");
        start(List.of(p(pre), d(dec)), false, "{}");
        HttpResponse<String> r = gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"a long prompt\","
                + "\"max_tokens\":5,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-jetway-prefill-endpoint")).hasValue(pre.address());
        assertThat(r.headers().firstValue("x-jetway-endpoint")).hasValue(dec.address());
        JsonNode prefillLeg = body(pre, 0);
        assertThat(prefillLeg.path("stream").asBoolean()).isFalse();
        assertThat(prefillLeg.has("stream_options")).isFalse();
        assertThat(prefillLeg.path("max_tokens").asInt()).isEqualTo(1);
        assertThat(prefillLeg.path("kv_transfer_params").path("do_remote_decode").asBoolean()).isTrue();
        assertThat(prefillLeg.path("kv_transfer_params").path("do_remote_prefill").asBoolean()).isFalse();
        JsonNode decodeLeg = body(dec, 0);
        assertThat(decodeLeg.path("stream").asBoolean()).isTrue();
        assertThat(decodeLeg.path("max_tokens").asInt()).isEqualTo(5);
        assertThat(decodeLeg.path("stream_options").path("include_usage").asBoolean()).isTrue();
        // the prefill's kv_transfer_params verbatim, unknown keys of a newer engine included
        assertThat(decodeLeg.path("kv_transfer_params")).isEqualTo(JSON.readTree(PREFILL_ANSWER)
                .path("kv_transfer_params"));
        assertThat(decodeLeg.path("kv_transfer_params").path("from_a_newer_engine").path("k").get(0).asInt())
                .isEqualTo(1);
        assertThat(r.body()).contains("data: [DONE]");
    }

    @Test
    void theDecodeLegReportsThePrefillsCachedTokens() throws Exception {
        FakeModelServer pre = prefill("pre");
        FakeModelServer dec = decode("dec");
        dec.jsonAnswer = "{\"id\":\"c\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"hi\","
                + "\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":12}}}";
        start(List.of(p(pre), d(dec)), false, "{}");
        HttpResponse<String> r = gw.post("/v1/completions", REQUEST);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("usage").path("prompt_tokens_details").path("cached_tokens").asInt())
                .isEqualTo(8);
    }

    @Test
    void prefillEndpointNotReachableMovesToTheNextPrefillEndpoint() throws Exception {
        FakeModelServer pre = prefill("pre");
        FakeModelServer dec = decode("dec");
        String dead = closedPort();
        start(List.of(new PdYaml.Member(dead, "prefill"), p(pre), d(dec)), false, "{prefillRetries: 1}");
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = gw.post("/v1/completions", REQUEST);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-jetway-prefill-endpoint")).hasValue(pre.address());
        }
    }

    @Test
    void prefillAnswering5xxIsRetriedElsewhereThenAnsweredAs502() throws Exception {
        FakeModelServer bad = prefill("bad");
        FakeModelServer dec = decode("dec");
        startThenBreak(List.of(p(bad), d(dec)), false, "{}", bad, FakeModelServer.Mode.FAIL_500);
        HttpResponse<String> r = gw.post("/v1/completions", REQUEST);
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).contains("\"error\"", "prefill endpoint " + bad.address() + " answered 500");
        assertThat(dec.completionRequests.get()).isZero();
        assertThat(metrics()).contains("jetway_pd_prefill_failures_total{cause=\"status_5xx\"} 1.0");
    }

    @Test
    void prefillRefusingTheRequestIsTheClientsError() throws Exception {
        FakeModelServer pre = prefill("pre");
        pre.mode = FakeModelServer.Mode.FAIL_400;
        FakeModelServer other = prefill("other");
        other.mode = FakeModelServer.Mode.FAIL_400;
        start(List.of(p(pre), p(other), d(decode("dec"))), false, "{}");
        HttpResponse<String> r = gw.post("/v1/completions", REQUEST);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("maximum context length is 8 tokens", "BadRequestError");
        assertThat(pre.completionRequests.get() + other.completionRequests.get()).isEqualTo(1); // not retried
    }

    @Test
    void prefillTimingOutIsAbortedAndAnswered504WithinTheTimeout() throws Exception {
        FakeModelServer slow = prefill("slow");
        startThenBreak(List.of(p(slow), d(decode("dec"))), false, "{prefillTimeout: 300ms}", slow,
                FakeModelServer.Mode.STALL_BEFORE_HEAD);
        long t0 = System.nanoTime();
        HttpResponse<String> r = gw.post("/v1/completions", REQUEST);
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(r.body()).contains("did not finish within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.cancelledStreams.get() == 1); // aborted upstream
        assertThat(metrics()).contains("jetway_pd_prefill_failures_total{cause=\"timeout\"} 1.0");
    }

    @Test
    void aPrefillAnswerWithoutUsableKvTransferParamsIsAClearError() throws Exception {
        FakeModelServer plain = prefill("plain");
        plain.jsonAnswer = FakeModelServer.completionJson("plain"); // vLLM without the NIXL connector
        FakeModelServer dec = decode("dec");
        start(List.of(p(plain), d(dec)), false, "{}");
        HttpResponse<String> r = gw.post("/v1/completions", REQUEST);
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).contains("no kv_transfer_params", "NixlConnector");
        plain.jsonAnswer = "{\"kv_transfer_params\":[1,2]}";
        assertThat(gw.post("/v1/completions", REQUEST).body()).contains("kv_transfer_params is not an object");
        plain.jsonAnswer = "not json";
        assertThat(gw.post("/v1/completions", REQUEST).body()).contains("answer is not JSON");
        assertThat(dec.completionRequests.get()).isZero();
        assertThat(metrics()).contains("jetway_pd_prefill_failures_total{cause=\"bad_kv_transfer_params\"} 3.0");
    }

    @Test
    void aKeptAliveConnectionResetBetweenLegsIsRetriedOnAFreshOne() throws Exception {
        FakeModelServer pre = prefill("pre");
        pre.closeReusedConnections = true;
        FakeModelServer dec = decode("dec");
        dec.closeReusedConnections = true;
        start(List.of(p(pre), d(dec)), false, "{}");
        for (int i = 0; i < 5; i++) {
            assertThat(gw.post("/v1/completions", REQUEST).statusCode()).isEqualTo(200);
        }
        assertThat(dec.completionRequests.get()).isEqualTo(5);
    }

    @Test
    void aDecodeEndpointDyingBeforeItsFirstByteMovesTheDecodeLeg() throws Exception {
        FakeModelServer pre = prefill("pre");
        FakeModelServer dying = decode("dying");
        dying.mode = FakeModelServer.Mode.DIE_BEFORE_HEAD;
        FakeModelServer good = decode("good");
        start(List.of(p(pre), d(dying), d(good)), false, "{}");
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = gw.post("/v1/completions", REQUEST);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-jetway-endpoint")).hasValue(good.address());
            // the retried decode leg still carries the KV handle
            assertThat(body(good, i).path("kv_transfer_params").path("remote_engine_id").asText())
                    .isEqualTo("5b5fb28f");
        }
    }

    @Test
    void aDecodeEndpointDyingMidStreamEndsTheStreamWithAnErrorEvent() throws Exception {
        FakeModelServer dying = decode("dying");
        dying.mode = FakeModelServer.Mode.DIE_MID_STREAM;
        start(List.of(p(prefill("pre")), d(dying)), false, "{}");
        HttpResponse<String> r = gw.post("/v1/completions", STREAM_REQUEST);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("closed the connection mid-response").doesNotContain("[DONE]");
        assertThat(metrics()).contains("kind=\"reset_mid_response\"");
    }

    @Test
    void aClientLeavingDuringPrefillAbortsThePrefillAndNeverStartsTheDecode() throws Exception {
        FakeModelServer slow = prefill("slow");
        FakeModelServer dec = decode("dec");
        startThenBreak(List.of(p(slow), d(dec)), false, "{}", slow, FakeModelServer.Mode.STALL_BEFORE_HEAD);
        try (Socket s = send(REQUEST)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> slow.completionRequests.get() == 1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.cancelledStreams.get() == 1);
        Thread.sleep(100);
        assertThat(dec.completionRequests.get()).isZero();
        assertThat(metrics()).contains("jetway_pd_prefill_failures_total{cause=\"client_cancelled\"} 1.0");
    }

    @Test
    void aClientLeavingDuringDecodeCancelsTheDecodeLeg() throws Exception {
        FakeModelServer dec = decode("dec");
        dec.mode = FakeModelServer.Mode.ENDLESS_STREAM;
        dec.chunkDelayMillis = 5;
        start(List.of(p(prefill("pre")), d(dec)), false, "{}");
        try (Socket s = send(STREAM_REQUEST)) {
            byte[] buf = new byte[4096];
            InputStream in = s.getInputStream();
            int n = in.read(buf);
            assertThat(new String(buf, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> dec.cancelledStreams.get() == 1);
    }

    @Test
    void noDecodeEndpointIsA503() throws Exception {
        start(List.of(p(prefill("pre"))), false, "{}");
        HttpResponse<String> r = gw.post("/v1/completions", REQUEST);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"error\"");
    }

    @Test
    void anEmptyPrefillPoolIsA503UnlessAggregatedFallbackIsConfigured() throws Exception {
        FakeModelServer dec = decode("dec");
        start(List.of(d(dec)), false, "{}");
        HttpResponse<String> refused = gw.post("/v1/completions", REQUEST);
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("splits this request into prefill and decode", "aggregatedFallback is off");
        assertThat(metrics()).contains("jetway_pd_decisions_total{decision=\"no-prefill-endpoint\",pool=\"p\"} 1.0")
                .contains("jetway_pd_prefill_failures_total{cause=\"no_prefill_endpoint\"} 1.0");
        gw.close();

        start(List.of(d(dec)), true, "{}");
        HttpResponse<String> served = gw.post("/v1/completions", REQUEST);
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(body(dec, 0).has("kv_transfer_params")).isFalse(); // aggregated: the plain request
        assertThat(metrics()).contains("jetway_pd_aggregated_fallbacks_total 1.0");
    }

    @Test
    void aFailedPrefillIsServedAggregatedOnlyWhenConfigured() throws Exception {
        FakeModelServer bad = prefill("bad");
        bad.mode = FakeModelServer.Mode.FAIL_500;
        FakeModelServer dec = decode("dec");
        start(List.of(p(bad), d(dec)), true, "{}");
        HttpResponse<String> r = gw.post("/v1/completions", REQUEST);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-jetway-prefill-endpoint")).isEmpty();
        assertThat(body(dec, 0).has("kv_transfer_params")).isFalse();
        assertThat(metrics()).contains("jetway_pd_aggregated_fallbacks_total 1.0");
    }

    @Test
    void sidecarModeSendsTheRequestToTheDecodeEndpointWithThePrefillersAddress() throws Exception {
        FakeModelServer pre = prefill("pre");
        FakeModelServer dec = decode("dec");
        start(List.of(p(pre), d(dec)), false, "{mode: sidecar}");
        HttpResponse<String> r = gw.post("/v1/completions", REQUEST);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(pre.completionRequests.get()).isZero(); // the sidecar calls it, not the gateway
        assertThat(dec.headers.getFirst()).containsEntry("x-prefiller-host-port", pre.address());
        assertThat(JSON.readTree(dec.bodies.getFirst())).isEqualTo(JSON.readTree(REQUEST)); // untouched
        assertThat(r.headers().firstValue("x-jetway-prefill-endpoint")).hasValue(pre.address());
    }

    private Socket send(String body) throws Exception {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), gw.server.port());
        OutputStream out = s.getOutputStream();
        out.write(("POST /v1/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: "
                + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }
}
