package dev.jetway.gateway.extproc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.config.TracingSettings;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.trace.Spans;
import dev.jetway.gateway.trace.TraceAttributes;
import dev.jetway.gateway.trace.Tracing;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code jetway epp} continues the trace Envoy's request headers carry: the request's span is a child of that
 * {@code traceparent}, the stages up to the decision are its children, and what Envoy reports of the response (status,
 * first body byte) ends up on it.
 */
class EndpointPickerTracingTest {

    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String ENVOY_SPAN = "b7ad6b7169203331";

    @Test
    void aRoutedRequestContinuesEnvoysTraceWithItsStageSpans() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        FakeModelServer server = new FakeModelServer("a");
        server.metricsPage = PickerHarness.metrics(0);
        String pools = "pools:\n  - name: p\n    models: [m]\n    endpoints:\n      - {address: \"" + server.address()
                + "\"}\n";
        try (PickerHarness h = PickerHarness.start(List.of(server), pools, "", Tracing.start(
                new TracingSettings(true, null, null, 1.0, null, null, null), exporter)).awaitReady();
             EnvoyStream envoy = h.buffered()) {
            Map<String, String> headers = EnvoyStream.post("/v1/completions");
            headers.put("traceparent", "00-" + TRACE_ID + "-" + ENVOY_SPAN + "-01");
            envoy.requestHeaders(headers, false, null);
            envoy.requestBody("{\"model\":\"m\",\"prompt\":\"hello\",\"max_tokens\":2}", true);
            ProcessingResponse headersReply = envoy.next();
            assertThat(headersReply.hasRequestHeaders()).as(headersReply.toString()).isTrue();
            ProcessingResponse routed = envoy.next();
            assertThat(EnvoyStream.setHeaders(routed.getRequestBody().getResponse()))
                    .containsEntry("x-gateway-destination-endpoint", server.address());
            envoy.responseHeaders(200, "application/json", null, false);
            envoy.next();
            envoy.responseBody("{\"choices\":[{\"text\":\"hi\"}],\"usage\":{\"completion_tokens\":1}}", true);
            envoy.next();

            Spans spans = Spans.awaitRequest(exporter);
            SpanData request = spans.server();
            assertThat(request.getTraceId()).isEqualTo(TRACE_ID);
            assertThat(request.getParentSpanId()).isEqualTo(ENVOY_SPAN);
            assertThat(request.getAttributes().get(TraceAttributes.MODE)).isEqualTo("endpoint-picker");
            assertThat(request.getAttributes().get(TraceAttributes.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(200L);
            assertThat(request.getAttributes().get(TraceAttributes.ENDPOINT)).isEqualTo(server.address());
            assertThat(request.getEvents()).extracting(EventData::getName).containsExactly("first_token");
            assertThat(spans.childrenOf(request)).containsExactlyInAnyOrder("parse", "admit", "tokenize", "schedule");
            assertThat(spans.named("schedule").getAttributes().get(TraceAttributes.TARGETS))
                    .containsExactly(server.address());
            assertThat(spans.clients()).isEmpty(); // Envoy carries the request to the model server
        }
    }
}
