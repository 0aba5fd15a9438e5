package dev.jetway.gateway.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.config.TracingSettings;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import dev.jetway.sim.SimRole;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tracing through the gateway on real sockets, the spans taken by an in-memory exporter: the request's server span,
 * its timed stages with the decision, the leg to the model server with its first token, the W3C context the model
 * server gets, a client's context as the parent, the sampling rules, errors, and nothing at all with tracing off.
 */
class GatewayTracingTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";

    private static TracingSettings everyRequest() {
        return new TracingSettings(true, null, null, 1.0, null, "jetway-test", null);
    }

    private static GatewayHarness gateway(List<String> addresses, String upstream, Tracing tracing) throws Exception {
        return GatewayHarness.start(ConfigLoader.parse(GatewayHarness.yaml(null, upstream, addresses), "test"),
                tracing);
    }

    private static HttpResponse<String> post(GatewayHarness gw, String path, String json, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(b::header);
        return gw.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitReady(GatewayHarness gw) {
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.get(gw.uri("/ready")).statusCode() == 200);
    }

    private static <T> T attr(SpanData span, AttributeKey<T> key) {
        return span.getAttributes().get(key);
    }

    @Test
    void aRequestThroughTheGatewayShowsItsStagesTheDecisionAndTheLegWithItsFirstToken() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (SimCluster sim = SimCluster.start(SimOptions.defaults("m").withBindHost("127.0.0.1").withPort(0),
                List.of(SimRole.BOTH));
             GatewayHarness gw = gateway(List.of("127.0.0.1:" + sim.replicas().getFirst().httpPort()), "",
                     Tracing.start(everyRequest(), exporter))) {
            awaitReady(gw);
            HttpResponse<String> r = post(gw, "/v1/chat/completions", "{\"model\":\"m\",\"stream\":true,"
                    + "\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"trace me please\"}]}", Map.of());
            assertThat(r.statusCode()).isEqualTo(200);
            String replica = "127.0.0.1:" + sim.replicas().getFirst().httpPort();

            Spans spans = Spans.awaitRequest(exporter);
            SpanData server = spans.server();
            assertThat(server.getName()).isEqualTo("POST /v1/chat/completions");
            assertThat(server.getParentSpanContext().isValid()).isFalse();
            assertThat(spans.childrenOf(server)).containsExactlyInAnyOrder("parse", "admit", "tokenize", "schedule",
                    "POST /v1/chat/completions");
            assertThat(attr(server, TraceAttributes.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(200L);
            assertThat(attr(server, TraceAttributes.HTTP_ROUTE)).isEqualTo("/v1/chat/completions");
            assertThat(attr(server, TraceAttributes.GEN_AI_OPERATION)).isEqualTo("chat");
            assertThat(attr(server, TraceAttributes.GEN_AI_REQUEST_MODEL)).isEqualTo("m");
            assertThat(attr(server, TraceAttributes.GEN_AI_REQUEST_MAX_TOKENS)).isEqualTo(4L);
            assertThat(attr(server, TraceAttributes.GEN_AI_INPUT_TOKENS)).isPositive();
            assertThat(attr(server, TraceAttributes.GEN_AI_OUTPUT_TOKENS)).isBetween(1L, 4L);
            assertThat(attr(server, TraceAttributes.POOL)).isEqualTo("p");
            assertThat(attr(server, TraceAttributes.ENDPOINT)).isEqualTo(replica);
            assertThat(attr(server, TraceAttributes.CLIENT_ADDRESS)).isEqualTo("127.0.0.1");
            assertThat(server.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
            assertThat(server.getResource().getAttribute(AttributeKey.stringKey("service.name")))
                    .isEqualTo("jetway-test");

            SpanData schedule = spans.named("schedule");
            assertThat(attr(schedule, TraceAttributes.ENDPOINT)).isEqualTo(replica);
            assertThat(attr(schedule, TraceAttributes.TARGETS)).containsExactly(replica);
            assertThat(attr(schedule, TraceAttributes.PROFILE)).isNotBlank();
            assertThat(attr(schedule, TraceAttributes.PICK_REASON)).isNotBlank();
            assertThat(attr(schedule, TraceAttributes.CANDIDATES)).isEqualTo(1L);
            assertThat(attr(schedule, TraceAttributes.DECISION)).contains(replica);

            SpanData leg = spans.clients().getFirst();
            assertThat(spans.clients()).hasSize(1);
            assertThat(leg.getKind()).isEqualTo(SpanKind.CLIENT);
            assertThat(attr(leg, TraceAttributes.LEG)).isEqualTo("main");
            assertThat(attr(leg, TraceAttributes.SERVER_ADDRESS)).isEqualTo("127.0.0.1");
            assertThat(attr(leg, TraceAttributes.SERVER_PORT))
                    .isEqualTo((long) sim.replicas().getFirst().httpPort());
            assertThat(attr(leg, TraceAttributes.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(200L);
            assertThat(leg.getEvents()).extracting(EventData::getName).containsExactly("first_token");
            // the stages ran in order, each before the leg went out
            assertThat(spans.named("parse").getEndEpochNanos())
                    .isLessThanOrEqualTo(spans.named("schedule").getStartEpochNanos());
            assertThat(schedule.getEndEpochNanos()).isLessThanOrEqualTo(leg.getStartEpochNanos());
            assertThat(leg.getEndEpochNanos()).isLessThanOrEqualTo(server.getEndEpochNanos());
        }
    }

    @Test
    void theModelServerGetsTheLegsContextInTheClientsTraceNeverTheClientsOwnParent() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (FakeModelServer model = new FakeModelServer("a");
             GatewayHarness gw = gateway(List.of(model.address()), "", Tracing.start(everyRequest(), exporter))) {
            awaitReady(gw);
            HttpResponse<String> r = post(gw, "/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}",
                    Map.of("traceparent", "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01", "tracestate", "vendor=x"));
            assertThat(r.statusCode()).isEqualTo(200);

            Spans spans = Spans.awaitRequest(exporter);
            SpanData server = spans.server();
            assertThat(server.getTraceId()).isEqualTo(TRACE_ID);
            assertThat(server.getParentSpanId()).isEqualTo(CLIENT_SPAN);
            assertThat(server.getParentSpanContext().isRemote()).isTrue();
            SpanData leg = spans.clients().getFirst();
            assertThat(leg.getParentSpanId()).isEqualTo(server.getSpanId());

            Map<String, String> received = model.headers.getLast();
            assertThat(received.get("traceparent")).isEqualTo("00-" + TRACE_ID + "-" + leg.getSpanId() + "-01");
            assertThat(received.get("tracestate")).isEqualTo("vendor=x");
        }
    }

    @Test
    void aClientsSampledFlagDecidesOnlyWhenParentBased() throws Exception {
        String unsampled = "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-00";
        InMemorySpanExporter own = InMemorySpanExporter.create();
        try (FakeModelServer model = new FakeModelServer("a");
             GatewayHarness gw = gateway(List.of(model.address()), "", Tracing.start(everyRequest(), own))) {
            awaitReady(gw);
            post(gw, "/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}", Map.of("traceparent", unsampled));
            // not parent-based (the default): the gateway's own draw (ratio 1) records it anyway, in the client's trace
            assertThat(Spans.awaitRequest(own).server().getTraceId()).isEqualTo(TRACE_ID);
        }

        InMemorySpanExporter followed = InMemorySpanExporter.create();
        try (FakeModelServer model = new FakeModelServer("a");
             GatewayHarness gw = gateway(List.of(model.address()), "",
                     Tracing.start(everyRequest().withParentBased(true), followed))) {
            awaitReady(gw);
            post(gw, "/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}", Map.of("traceparent", unsampled));
            post(gw, "/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}", Map.of());
            Spans recorded = Spans.awaitRequest(followed);
            // only the request without a parent was recorded; the unsampled one still carried its trace on, unsampled
            assertThat(recorded.server().getTraceId()).isNotEqualTo(TRACE_ID);
            assertThat(followed.getFinishedSpanItems()).allSatisfy(s -> assertThat(s.getTraceId())
                    .isNotEqualTo(TRACE_ID));
            String sent = model.headers.getFirst().get("traceparent");
            assertThat(sent).startsWith("00-" + TRACE_ID + "-").endsWith("-00").doesNotContain(CLIENT_SPAN);
        }
    }

    @Test
    void errorsSetTheStatusOfTheSpanThatFailed() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (FakeModelServer model = new FakeModelServer("a");
             GatewayHarness gw = gateway(List.of(model.address()), "maxRetries: 0",
                     Tracing.start(everyRequest(), exporter))) {
            awaitReady(gw);
            assertThat(post(gw, "/v1/completions", "{\"model\":\"m\",\"prompt\":", Map.of()).statusCode())
                    .isEqualTo(400);
            Spans bad = Spans.awaitRequest(exporter);
            SpanData parse = bad.named("parse");
            assertThat(parse.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(parse.getStatus().getDescription()).isNotBlank();
            assertThat(bad.childrenOf(bad.server())).containsExactly("parse"); // nothing ran after it
            // a client's mistake is not the server's error (HTTP semantic conventions), but its status is there
            assertThat(bad.server().getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
            assertThat(attr(bad.server(), TraceAttributes.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(400L);

            exporter.reset();
            model.mode = FakeModelServer.Mode.FAIL_500;
            assertThat(post(gw, "/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}", Map.of()).statusCode())
                    .isEqualTo(500);
            Spans failed = Spans.awaitRequest(exporter);
            SpanData leg = failed.clients().getFirst();
            assertThat(leg.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(attr(leg, TraceAttributes.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(500L);
            assertThat(attr(leg, TraceAttributes.ERROR_TYPE)).isEqualTo("500");
            assertThat(failed.server().getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(attr(failed.server(), TraceAttributes.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(500L);

        }
    }

    @Test
    void withTracingOffTheModelServerGetsTheClientsHeadersUntouchedAndNoneOfTheGateways() throws Exception {
        try (FakeModelServer model = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml(null, "", List.of(model.address())))) {
            awaitReady(gw);
            post(gw, "/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}", Map.of());
            String client = "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01";
            post(gw, "/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}", Map.of("traceparent", client));
            assertThat(model.headers.get(0)).doesNotContainKeys("traceparent", "tracestate");
            assertThat(model.headers.get(1)).containsEntry("traceparent", client);
        }
    }

    @Test
    void tracingOffIsNoSdkAndNoSpanObjects() {
        Tracing off = Tracing.start(null);
        assertThat(off).isSameAs(Tracing.off());
        assertThat(off.isOn()).isFalse();
        assertThat(Tracing.start(new TracingSettings(false, "http://127.0.0.1:1", null, 1.0, null, null, null)))
                .isSameAs(Tracing.off());
        var http = new io.netty.handler.codec.http.DefaultFullHttpRequest(io.netty.handler.codec.http.HttpVersion
                .HTTP_1_1, io.netty.handler.codec.http.HttpMethod.POST, "/v1/completions");
        RequestTrace trace = off.startRequest(http, dev.jetway.gateway.request.ApiKind.COMPLETIONS, 0, null, false);
        assertThat(trace).isSameAs(RequestTrace.NONE);
        assertThat(trace.leg(Leg.MAIN, "127.0.0.1:1", 1)).isSameAs(LegTrace.NONE);
        http.release();
    }

    @Test
    void theGatewaysTraceIdIsInTheModelServersRequestEvenWhenNotSampled() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (FakeModelServer model = new FakeModelServer("a");
             GatewayHarness gw = gateway(List.of(model.address()), "",
                     Tracing.start(everyRequest().withSamplingRatio(0.0), exporter))) {
            awaitReady(gw);
            assertThat(post(gw, "/v1/completions", "{\"model\":\"m\",\"prompt\":\"hi\"}", Map.of()).statusCode())
                    .isEqualTo(200);
            // the sampled bit off (02 only says the trace id is random)
            assertThat(model.headers.getLast().get("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[02]");
            Thread.sleep(100); // a recorded span would be exported as it ends, before the response is read
            assertThat(exporter.getFinishedSpanItems()).isEmpty();
        }
    }

}
