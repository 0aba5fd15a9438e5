package dev.jetway.gateway.extproc;

import static dev.jetway.gateway.extproc.PickerHarness.queuePicker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.service.ext_proc.v3.CommonResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ImmediateResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * GIE's endpoint-picker protocol as Envoy drives it, through Envoy's generated ext_proc client against the picker on
 * a real gRPC server on loopback: the destination (header and {@code envoy.lb} metadata, ordered fallbacks) in both
 * body modes, the body handed back in {@code FULL_DUPLEX_STREAMED}, the subset hint, and the local replies (no
 * endpoint, a shed, a bad body) as {@code ImmediateResponse}s with the OpenAI error body.
 */
class EndpointPickerProtocolTest {

    private static final String COMPLETION = "{\"model\":\"m\",\"prompt\":\"hello world\",\"max_tokens\":4}";
    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}],"
            + "\"stream\":true}";

    @Test
    void bufferedCompletionGetsTheDestinationWithOrderedFallbacksInTheBodyReply() throws Exception {
        try (PickerHarness h = PickerHarness.start(queuePicker(3), "", 0, 5, 10).awaitReady();
             EnvoyStream envoy = h.buffered()) {
            envoy.requestHeaders(EnvoyStream.post("/v1/completions"), false, null);
            ProcessingResponse headersReply = envoy.next();
            assertThat(headersReply.hasRequestHeaders()).as("BUFFERED: Envoy waits for the headers reply").isTrue();
            assertThat(headersReply.getRequestHeaders().getResponse().getHeaderMutation().getSetHeadersCount())
                    .isZero();

            envoy.requestBody(COMPLETION, true);
            ProcessingResponse bodyReply = envoy.next();
            assertThat(bodyReply.hasRequestBody()).isTrue();
            CommonResponse common = bodyReply.getRequestBody().getResponse();
            String expected = h.address(0) + "," + h.address(1) + "," + h.address(2); // least queued first
            assertThat(EnvoyStream.setHeaders(common)).containsEntry("x-gateway-destination-endpoint", expected)
                    .doesNotContainKey("x-prefiller-host-port");
            assertThat(common.getHeaderMutation().getRemoveHeadersList()).contains("x-prefiller-host-port");
            assertThat(common.getClearRouteCache()).isTrue();
            assertThat(common.hasBodyMutation()).as("the body goes on unchanged").isFalse();
            assertThat(EnvoyStream.metadataDestination(bodyReply)).isEqualTo(expected);
            assertThat(common.getHeaderMutation().getSetHeaders(0).getAppendAction().name())
                    .isEqualTo("OVERWRITE_IF_EXISTS_OR_ADD");
        }
    }

    @Test
    void fullDuplexChatIsAnsweredAfterTheLastChunkAndItsBodyHandedBack() throws Exception {
        try (PickerHarness h = PickerHarness.start(queuePicker(2), "", 7, 1).awaitReady();
             EnvoyStream envoy = h.fullDuplex()) {
            envoy.requestHeaders(EnvoyStream.post("/v1/chat/completions"), false, null);
            String first = CHAT.substring(0, 20);
            String rest = CHAT.substring(20);
            envoy.requestBody(first, false);
            assertThat(envoy.poll(200)).as("FULL_DUPLEX: nothing until the body is complete").isNull();
            envoy.requestBody(rest, true);

            ProcessingResponse headersReply = envoy.next();
            assertThat(headersReply.hasRequestHeaders()).isTrue();
            CommonResponse common = headersReply.getRequestHeaders().getResponse();
            String expected = h.address(1) + "," + h.address(0);
            assertThat(EnvoyStream.setHeaders(common))
                    .containsEntry("x-gateway-destination-endpoint", expected)
                    .containsEntry("content-length", Integer.toString(CHAT.getBytes(StandardCharsets.UTF_8).length));
            assertThat(common.getClearRouteCache()).isTrue();
            assertThat(EnvoyStream.metadataDestination(headersReply)).isEqualTo(expected);

            ByteString handedBack = ByteString.EMPTY;
            boolean end = false;
            while (!end) {
                ProcessingResponse piece = envoy.next();
                assertThat(piece.hasRequestBody()).isTrue();
                var streamed = piece.getRequestBody().getResponse().getBodyMutation().getStreamedResponse();
                handedBack = handedBack.concat(streamed.getBody());
                end = streamed.getEndOfStream();
            }
            assertThat(handedBack.toStringUtf8()).isEqualTo(CHAT);
        }
    }

    @Test
    void aBodyLargerThanOneExtProcMessageIsHandedBackInPiecesOfAtMost62000Bytes() throws Exception {
        String prompt = "x".repeat(150_000);
        String body = "{\"model\":\"m\",\"prompt\":\"" + prompt + "\"}";
        try (PickerHarness h = PickerHarness.start(queuePicker(1), "", 0).awaitReady();
             EnvoyStream envoy = h.fullDuplex()) {
            envoy.requestHeaders(EnvoyStream.post("/v1/completions"), false, null);
            for (int i = 0; i < body.length(); i += 40_000) {
                envoy.requestBody(body.substring(i, Math.min(body.length(), i + 40_000)), i + 40_000 >= body.length());
            }
            assertThat(envoy.next().hasRequestHeaders()).isTrue();
            StringBuilder back = new StringBuilder();
            int pieces = 0;
            boolean end = false;
            while (!end) {
                var streamed = envoy.next().getRequestBody().getResponse().getBodyMutation().getStreamedResponse();
                assertThat(streamed.getBody().size()).isLessThanOrEqualTo(EnvoyMessages.BODY_CHUNK_BYTES);
                back.append(streamed.getBody().toStringUtf8());
                end = streamed.getEndOfStream();
                pieces++;
            }
            assertThat(back.toString()).isEqualTo(body);
            assertThat(pieces).isEqualTo(3);
        }
    }

    @Test
    void theSubsetHintLimitsTheCandidatesAndAnEmptyIntersectionIs503() throws Exception {
        try (PickerHarness h = PickerHarness.start(queuePicker(3), "", 0, 5, 10).awaitReady()) {
            try (EnvoyStream envoy = h.fullDuplex()) {
                envoy.requestHeaders(EnvoyStream.post("/v1/completions"),
                        false, EnvoyStream.subset(h.address(2), h.address(1)));
                envoy.requestBody(COMPLETION, true);
                ProcessingResponse reply = envoy.next();
                String expected = h.address(1) + "," + h.address(2);
                assertThat(EnvoyStream.setHeaders(reply.getRequestHeaders().getResponse()))
                        .containsEntry("x-gateway-destination-endpoint", expected);
                assertThat(EnvoyStream.metadataDestination(reply)).isEqualTo(expected);
            }
            try (EnvoyStream envoy = h.fullDuplex()) {
                envoy.requestHeaders(EnvoyStream.post("/v1/completions"), false, EnvoyStream.subset("10.9.9.9:8000"));
                envoy.requestBody(COMPLETION, true);
                ImmediateResponse immediate = envoy.next().getImmediateResponse();
                assertThat(immediate.getStatus().getCodeValue()).isEqualTo(503);
                assertThat(immediate.getBody().toStringUtf8()).contains("\"code\":\"no_ready_endpoint\"")
                        .contains("10.9.9.9:8000");
                assertThat(envoy.closed.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    @Test
    void aPoolWithoutReachableEndpointsIs503WithTheOpenAiErrorBody() throws Exception {
        int deadPort;
        try (var probe = new java.net.ServerSocket(0)) {
            deadPort = probe.getLocalPort(); // nothing listens there once closed: connections are refused
        }
        String pools = "pools:\n  - name: p\n    models: [m]\n    endpointPicker: " + queuePicker(1) + "\n"
                + "    endpoints:\n      - {address: \"127.0.0.1:" + deadPort + "\"}\n";
        try (PickerHarness h = PickerHarness.start(java.util.List.of(), pools, "")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> h.picker.routing().table().pools().getFirst()
                    .readyCandidates().isEmpty());
            try (EnvoyStream envoy = h.buffered()) {
                envoy.requestHeaders(EnvoyStream.post("/v1/completions"), false, null);
                assertThat(envoy.next().hasRequestHeaders()).isTrue();
                envoy.requestBody(COMPLETION, true);
                ImmediateResponse immediate = envoy.next().getImmediateResponse();
                assertThat(immediate.getStatus().getCodeValue()).isEqualTo(503);
                assertThat(EnvoyStream.setHeaders(immediate.getHeaders().getSetHeadersList()))
                        .containsEntry("content-type", "application/json");
                assertThat(immediate.getBody().toStringUtf8())
                        .startsWith("{\"error\":{\"message\":\"no ready endpoint in pool p for model m\"")
                        .contains("\"type\":\"service_unavailable\"");
            }
            assertThat(h.metricsPage()).contains("llm_d_epp_request_error_total{error_code=\"503\"");
        }
    }

    @Test
    void aShedIs429WithTheDroppedReasonHeader() throws Exception {
        String admission = "admission: {objectives: {batch: -1}, queueDepthThreshold: 5, "
                + "metricsStalenessThreshold: 2s}\n";
        try (PickerHarness h = PickerHarness.start("load", admission, 50, 60).awaitReady();
             EnvoyStream envoy = h.fullDuplex()) {
            var headers = EnvoyStream.post("/v1/completions");
            headers.put("x-llm-d-inference-objective", "batch");
            envoy.requestHeaders(headers, false, null);
            envoy.requestBody(COMPLETION, true);
            ImmediateResponse immediate = envoy.next().getImmediateResponse();
            assertThat(immediate.getStatus().getCodeValue()).isEqualTo(429);
            assertThat(EnvoyStream.setHeaders(immediate.getHeaders().getSetHeadersList()))
                    .containsEntry("x-llm-d-request-dropped-reason", "rejected-saturated");
            assertThat(immediate.getBody().toStringUtf8()).contains("\"code\":\"rate_limit_exceeded\"");
        }
    }

    @Test
    void aMalformedBodyIs400NamingTheProblem() throws Exception {
        try (PickerHarness h = PickerHarness.start(queuePicker(1), "", 0).awaitReady();
             EnvoyStream envoy = h.fullDuplex()) {
            envoy.requestHeaders(EnvoyStream.post("/v1/completions"), false, null);
            envoy.requestBody("{\"model\":\"m\",\"prompt\":", true);
            ImmediateResponse immediate = envoy.next().getImmediateResponse();
            assertThat(immediate.getStatus().getCodeValue()).isEqualTo(400);
            assertThat(immediate.getBody().toStringUtf8()).contains("\"type\":\"invalid_request_error\"")
                    .contains("request body ends before its JSON is complete");
        }
        try (PickerHarness h = PickerHarness.start(queuePicker(1), "", 0).awaitReady();
             EnvoyStream envoy = h.fullDuplex()) {
            envoy.requestHeaders(EnvoyStream.post("/v1/completions"), false, null);
            envoy.requestBody("{\"model\":\"m\",\"prompt\":\"hi\",\"stream\":3}", true);
            ImmediateResponse immediate = envoy.next().getImmediateResponse();
            assertThat(immediate.getStatus().getCodeValue()).isEqualTo(400);
            assertThat(immediate.getBody().toStringUtf8()).contains("\"param\":\"stream\"");
        }
    }

    @Test
    void anUnknownModelIs404AndABodyOverTheLimitIs413() throws Exception {
        try (PickerHarness h = PickerHarness.start(queuePicker(1), "server: {host: 127.0.0.1, port: 0, adminPort: 0, maxBodyBytes: 1000}\n", 0)
                .awaitReady()) {
            try (EnvoyStream envoy = h.fullDuplex()) {
                envoy.requestHeaders(EnvoyStream.post("/v1/completions"), false, null);
                envoy.requestBody("{\"model\":\"other\",\"prompt\":\"hi\"}", true);
                ImmediateResponse immediate = envoy.next().getImmediateResponse();
                assertThat(immediate.getStatus().getCodeValue()).isEqualTo(404);
                assertThat(immediate.getBody().toStringUtf8()).contains("\"code\":\"model_not_found\"");
            }
            try (EnvoyStream envoy = h.fullDuplex()) {
                envoy.requestHeaders(EnvoyStream.post("/v1/completions"), false, null);
                envoy.requestBody("{\"model\":\"m\",\"prompt\":\"" + "y".repeat(600), false);
                envoy.requestBody("y".repeat(600) + "\"}", true);
                ImmediateResponse immediate = envoy.next().getImmediateResponse();
                assertThat(immediate.getStatus().getCodeValue()).isEqualTo(413);
                assertThat(immediate.getBody().toStringUtf8()).contains("1000 bytes");
            }
        }
    }

    @Test
    void aRequestWithoutABodyGoesToARandomReadyEndpointAtOnce() throws Exception {
        try (PickerHarness h = PickerHarness.start(queuePicker(1), "", 0, 0).awaitReady();
             EnvoyStream envoy = h.fullDuplex()) {
            Map<String, String> get = EnvoyStream.post("/v1/models");
            get.put(":method", "GET");
            envoy.requestHeaders(get, true, null);
            ProcessingResponse reply = envoy.next();
            String destination = EnvoyStream.setHeaders(reply.getRequestHeaders().getResponse())
                    .get("x-gateway-destination-endpoint");
            assertThat(destination).isIn(h.address(0), h.address(1));
            assertThat(EnvoyStream.metadataDestination(reply)).isEqualTo(destination);
            envoy.responseHeaders(200, "application/json", null, false);
            assertThat(envoy.next().hasResponseHeaders()).isTrue();
            envoy.responseBody("{\"data\":[]}", true);
            var echoed = envoy.next().getResponseBody().getResponse().getBodyMutation().getStreamedResponse();
            assertThat(echoed.getBody().toStringUtf8()).isEqualTo("{\"data\":[]}");
            assertThat(echoed.getEndOfStream()).isTrue();
        }
    }

    @Test
    void streamedRequestBodyModeIsRefusedClearly() throws Exception {
        try (PickerHarness h = PickerHarness.start(queuePicker(1), "", 0).awaitReady();
             EnvoyStream envoy = new EnvoyStream(h.channel,
                     io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.BodySendMode.STREAMED,
                     io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.BodySendMode.NONE)) {
            envoy.requestHeaders(EnvoyStream.post("/v1/completions"), false, null);
            ImmediateResponse immediate = envoy.next().getImmediateResponse();
            assertThat(immediate.getStatus().getCodeValue()).isEqualTo(500);
            assertThat(immediate.getBody().toStringUtf8()).contains("FULL_DUPLEX_STREAMED");
        }
    }
}
