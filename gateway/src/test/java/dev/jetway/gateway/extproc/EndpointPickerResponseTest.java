package dev.jetway.gateway.extproc;

import static dev.jetway.gateway.extproc.PickerHarness.queuePicker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.gateway.routing.GatewayPool;
import dev.jetway.scheduler.latency.LatencyModel;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The response side of the endpoint-picker protocol: what Envoy reports of a routed request's response drives the
 * scheduler's hooks as the gateway's relay does (in flight until the end, first token, completion with the tokens
 * read from the body, the latency model learning), the endpoint Envoy says served takes the request's charge, an
 * early end releases everything, and flow control holds a stream in its queue until a running request ends.
 */
class EndpointPickerResponseTest {

    private static final String STREAMED_CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
            + "\"tell me a story\"}],\"stream\":true,\"max_tokens\":3}";
    private static final String COMPLETION = "{\"model\":\"m\",\"prompt\":\"hello world\",\"max_tokens\":3}";

    private static String chunk(String text) {
        return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"" + text + "\"},\"finish_reason\":null}]}\n\n";
    }

    private static GatewayPool pool(PickerHarness h) {
        return h.picker.routing().table().pools().getFirst();
    }

    private static int inFlight(PickerHarness h, int server) {
        for (GatewayEndpoint e : pool(h).endpoints()) {
            if (e.address().toString().equals(h.address(server))) {
                return e.endpoint().inFlightRequests();
            }
        }
        throw new AssertionError("no endpoint " + h.address(server));
    }

    private static long observations(PickerHarness h, LatencyModel.Kind kind) {
        return h.picker.routing().latencyModel("p").errors().stream()
                .filter(e -> e.endpointId() == null && e.kind() == kind)
                .mapToLong(LatencyModel.PredictionError::total).sum();
    }

    /** Routes {@code body} over a fresh full-duplex stream and reads the answer up to the body's end. */
    private static String route(EnvoyStream envoy, String path, String body) throws InterruptedException {
        return route(envoy, EnvoyStream.post(path), body);
    }

    private static String route(EnvoyStream envoy, java.util.Map<String, String> headers, String body)
            throws InterruptedException {
        envoy.requestHeaders(headers, false, null);
        envoy.requestBody(body, true);
        ProcessingResponse reply = envoy.next();
        assertThat(reply.hasRequestHeaders()).as(reply.toString()).isTrue();
        boolean end = false;
        while (!end) {
            end = envoy.next().getRequestBody().getResponse().getBodyMutation().getStreamedResponse().getEndOfStream();
        }
        return EnvoyStream.setHeaders(reply.getRequestHeaders().getResponse()).get("x-gateway-destination-endpoint");
    }

    @Test
    void aStreamedResponseFiresTheHooksAndTeachesTheLatencyModel() throws Exception {
        try (PickerHarness h = PickerHarness.start("jetway-approximate", "security: {debugRequests: true}\n", 0, 0)
                .awaitReady();
             EnvoyStream envoy = h.fullDuplex()) {
            long ttft0 = observations(h, LatencyModel.Kind.TTFT);
            long tpot0 = observations(h, LatencyModel.Kind.TPOT);
            var headers = EnvoyStream.post("/v1/chat/completions");
            headers.put("x-jetway-debug", "1");
            String primary = route(envoy, headers, STREAMED_CHAT).split(",")[0];
            int server = primary.equals(h.address(0)) ? 0 : 1;
            assertThat(inFlight(h, server)).isEqualTo(1);

            envoy.responseHeaders(200, "text/event-stream", EnvoyStream.served(primary), false);
            ProcessingResponse responseHeaders = envoy.next();
            assertThat(EnvoyStream.setHeaders(responseHeaders.getResponseHeaders().getResponse()))
                    .containsEntry("x-jetway-endpoint", primary)
                    .hasEntrySatisfying("x-jetway-decision", d -> assertThat(d).contains(primary));
            String[] events = {chunk("Once"), chunk(" upon"), chunk(" a time"), "data: [DONE]\n\n"};
            for (int i = 0; i < events.length; i++) {
                boolean last = i == events.length - 1;
                envoy.responseBody(events[i], last);
                var echoed = envoy.next().getResponseBody().getResponse().getBodyMutation().getStreamedResponse();
                assertThat(echoed.getBody().toStringUtf8()).isEqualTo(events[i]);
                assertThat(echoed.getEndOfStream()).isEqualTo(last);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> inFlight(h, server) == 0);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(observations(h, LatencyModel.Kind.TTFT) - ttft0).isEqualTo(1);
                assertThat(observations(h, LatencyModel.Kind.TPOT) - tpot0).isEqualTo(1);
            });
            String page = h.metricsPage();
            assertThat(page).contains("llm_d_epp_request_output_tokens_sum{model_name=\"m\",target_model_name=\"m\"} 3.0")
                    .contains("llm_d_epp_request_running{model_name=\"m\",target_model_name=\"m\"} 0.0")
                    .contains("llm_d_epp_request_ttft_seconds_count{model_name=\"m\",streaming=\"true\","
                            + "target_model_name=\"m\"} 1")
                    .contains("llm_d_epp_request_total{model_name=\"m\",target_model_name=\"m\"} 1.0")
                    .contains("jetway_epp_decision_duration_seconds_count 1");
        }
    }

    @Test
    void aNonStreamedResponseIsLearnedWithItsUsageInBufferedMode() throws Exception {
        try (PickerHarness h = PickerHarness.start("jetway-approximate", "", 0).awaitReady();
             EnvoyStream envoy = h.buffered()) {
            long e2e0 = observations(h, LatencyModel.Kind.E2E);
            envoy.requestHeaders(EnvoyStream.post("/v1/completions"), false, null);
            envoy.next();
            envoy.requestBody(COMPLETION, true);
            assertThat(EnvoyStream.metadataDestination(envoy.next())).isEqualTo(h.address(0));
            assertThat(inFlight(h, 0)).isEqualTo(1);
            envoy.responseHeaders(200, "application/json", null, false);
            envoy.next();
            envoy.responseBody("{\"id\":\"x\",\"choices\":[{\"text\":\"a b c\"}],\"usage\":{\"prompt_tokens\":2,"
                    + "\"completion_tokens\":3,\"total_tokens\":5}}", true);
            ProcessingResponse reply = envoy.next();
            assertThat(reply.getResponseBody().getResponse().hasBodyMutation())
                    .as("BUFFERED: the body goes on untouched").isFalse();
            await().atMost(Duration.ofSeconds(5)).until(() -> inFlight(h, 0) == 0);
            await().atMost(Duration.ofSeconds(5)).until(() -> observations(h, LatencyModel.Kind.E2E) - e2e0 == 1);
            assertThat(h.metricsPage()).contains(
                    "llm_d_epp_request_output_tokens_sum{model_name=\"m\",target_model_name=\"m\"} 3.0");
        }
    }

    @Test
    void anErrorAnswerIsNoFirstTokenAndTeachesNothing() throws Exception {
        try (PickerHarness h = PickerHarness.start("jetway-approximate", "", 0, 0).awaitReady();
             EnvoyStream envoy = h.fullDuplex()) {
            long ttft0 = observations(h, LatencyModel.Kind.TTFT);
            String primary = route(envoy, "/v1/chat/completions", STREAMED_CHAT).split(",")[0];
            int server = primary.equals(h.address(0)) ? 0 : 1;
            var approx = pool(h).scheduler()
                    .plugins(dev.jetway.scheduler.plugins.producer.ApproxPrefixCacheProducer.class).getFirst();
            assertThat(approx.index().size(primary)).as("believed at routing").isPositive();
            // vLLM refuses the prompt (too long): a JSON error body, no token
            envoy.responseHeaders(400, "application/json", EnvoyStream.served(primary), false);
            envoy.next();
            envoy.responseBody("{\"object\":\"error\",\"message\":\"This model's maximum context length is 8 "
                    + "tokens\",\"type\":\"BadRequestError\",\"code\":400}", true);
            envoy.next();
            await().atMost(Duration.ofSeconds(5)).until(() -> inFlight(h, server) == 0);
            assertThat(observations(h, LatencyModel.Kind.TTFT)).as("a TTFT learned from the error").isEqualTo(ttft0);
            assertThat(approx.index().size(primary)).as("the refused prompt still believed cached").isZero();
        }
    }

    @Test
    void theEndpointEnvoyReportsAsServedTakesTheCharge() throws Exception {
        try (PickerHarness h = PickerHarness.start(queuePicker(2), "", 0, 5).awaitReady();
             EnvoyStream envoy = h.fullDuplex()) {
            String destination = route(envoy, "/v1/completions", COMPLETION);
            assertThat(destination).isEqualTo(h.address(0) + "," + h.address(1));
            assertThat(inFlight(h, 0)).isEqualTo(1);

            // Envoy's retry went to the fallback
            envoy.responseHeaders(200, "application/json", EnvoyStream.served(h.address(1)), false);
            ProcessingResponse headers = envoy.next();
            assertThat(EnvoyStream.setHeaders(headers.getResponseHeaders().getResponse()))
                    .containsEntry("x-jetway-endpoint", h.address(1));
            assertThat(inFlight(h, 0)).isZero();
            assertThat(inFlight(h, 1)).isEqualTo(1);
            envoy.responseBody("{\"usage\":{\"completion_tokens\":3}}", true);
            envoy.next();
            await().atMost(Duration.ofSeconds(5)).until(() -> inFlight(h, 1) == 0);
            assertThat(h.metricsPage()).contains("jetway_epp_served_by_fallback_total 1.0");
        }
    }

    @Test
    void gatewayFailuresEnvoyReportsEjectTheEndpointThatServedThemFromLaterDecisions() throws Exception {
        try (PickerHarness h = PickerHarness.start(queuePicker(1), "", 0, 0, 0).awaitReady()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> pool(h).readyCount() == 3); // first checks passed
            String failing = h.address(0);
            for (int i = 0; i < 3; i++) {
                try (EnvoyStream envoy = h.fullDuplex()) {
                    route(envoy, "/v1/completions", COMPLETION);
                    // whatever was picked, Envoy reports the 503 came from the failing one
                    envoy.responseHeaders(503, "application/json", EnvoyStream.served(failing), true);
                    envoy.next();
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> h.metricsPage().contains(
                    "jetway_endpoint_ejected{model_server_endpoint=\"" + failing + "\",name=\"p\"} 1.0"));
            for (int i = 0; i < 10; i++) {
                try (EnvoyStream envoy = h.fullDuplex()) {
                    assertThat(route(envoy, "/v1/completions", COMPLETION)).isNotEqualTo(failing);
                    envoy.responseHeaders(200, "application/json", null, true);
                    envoy.next();
                }
            }
        }
    }

    @Test
    void aStreamThatEndsBeforeTheResponseReleasesTheRequest() throws Exception {
        try (PickerHarness h = PickerHarness.start(queuePicker(1), "", 0).awaitReady()) {
            EnvoyStream envoy = h.fullDuplex();
            route(envoy, "/v1/chat/completions", STREAMED_CHAT);
            envoy.responseHeaders(200, "text/event-stream", null, false);
            envoy.next();
            envoy.responseBody(chunk("half"), false);
            envoy.next();
            assertThat(inFlight(h, 0)).isEqualTo(1);
            envoy.cancel(); // the client went away: Envoy resets the stream
            await().atMost(Duration.ofSeconds(5)).until(() -> inFlight(h, 0) == 0);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(h.metricsPage())
                    .contains("jetway_client_disconnects_total 1.0")
                    .contains("llm_d_epp_request_running{model_name=\"m\",target_model_name=\"m\"} 0.0"));
        }
    }

    /** Flow control with room for one request at a time, counted by the picker's own in-flight counters. */
    private static final String ONE_AT_A_TIME = """
            |
                  apiVersion: llm-d.ai/v1
                  kind: EndpointPickerConfig
                  featureGates: [flowControl]
                  plugins:
                  - type: random-picker
                  - type: concurrency-detector
                    parameters: {maxConcurrency: 1}
                  flowControl:
                    saturationDetector: {pluginRef: concurrency-detector}
            """.stripTrailing();

    @Test
    void aStreamWaitsInTheFlowControlQueueUntilARunningRequestEnds() throws Exception {
        try (PickerHarness h = PickerHarness.start(ONE_AT_A_TIME, "", 0).awaitReady();
             EnvoyStream running = h.fullDuplex();
             EnvoyStream waiting = h.fullDuplex();
             EnvoyStream leaving = h.fullDuplex()) {
            route(running, "/v1/completions", COMPLETION);
            waiting.requestHeaders(EnvoyStream.post("/v1/completions"), false, null);
            waiting.requestBody(COMPLETION, true);
            leaving.requestHeaders(EnvoyStream.post("/v1/completions"), false, null);
            leaving.requestBody(COMPLETION, true);
            await().atMost(Duration.ofSeconds(5)).until(() -> pool(h).flowController().snapshot()
                    .queuedRequests() == 2);
            assertThat(waiting.poll(200)).as("held while the pool is full").isNull();

            leaving.cancel(); // its client left: out of the queue at once
            await().atMost(Duration.ofSeconds(5)).until(() -> pool(h).flowController().snapshot()
                    .queuedRequests() == 1);

            running.responseHeaders(200, "application/json", null, false);
            running.next();
            running.responseBody("{\"usage\":{\"completion_tokens\":1}}", true);
            running.next();
            ProcessingResponse reply = waiting.next();
            assertThat(EnvoyStream.metadataDestination(reply)).isEqualTo(h.address(0));
            assertThat(pool(h).flowController().snapshot().queuedRequests()).isZero();
            assertThat(List.of(h.metricsPage().split("\n")))
                    .anyMatch(l -> l.startsWith("llm_d_epp_flow_control_request_queue_duration_seconds_count")
                            && l.contains("outcome=\"Dispatched\"") && l.endsWith(" 2"));
        }
    }
}
