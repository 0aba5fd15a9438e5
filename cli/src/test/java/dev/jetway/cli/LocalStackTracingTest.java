package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.config.TracingSettings;
import dev.jetway.gateway.trace.TraceAttributes;
import dev.jetway.gateway.trace.Tracing;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A trace of one request through {@code jetway up}'s stack (simulated replicas behind the gateway), taken by an
 * in-memory exporter: the request's span with the stages that take time, the decision on the schedule span, each leg
 * to a replica as a client span with its first token, all in one trace and parented as documented.
 */
class LocalStackTracingTest {

    /** The request's span ends last, just after its response: waits for it, then takes its trace's spans. */
    private static List<SpanData> awaitTrace(InMemorySpanExporter exporter) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (exporter.getFinishedSpanItems().stream().noneMatch(s -> s.getKind() == SpanKind.SERVER)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no request span within 10 s: " + exporter.getFinishedSpanItems());
            }
            Thread.sleep(10);
        }
        SpanData server = exporter.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER)
                .findFirst().orElseThrow();
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(server.getTraceId()))
                .toList();
    }

    private static SpanData named(List<SpanData> spans, String name) {
        return spans.stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
    }

    private static HttpResponse<String> chat(LocalStack stack, String prompt) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return http.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/chat/completions"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"stream\":true,\"max_tokens\":3,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    private static Tracing everyRequest(InMemorySpanExporter exporter) {
        return Tracing.start(TracingSettings.to("http://127.0.0.1:4318").withSamplingRatio(1.0), exporter);
    }

    @Test
    void oneRequestThroughUpShowsParseQueueTokenizeScheduleAndTheLeg() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        LocalStack.Options options = new LocalStack.Options("m", 2, "llama-3.1-8b-h100", "127.0.0.1", 0, 0, null);
        try (LocalStack stack = LocalStack.start(options, everyRequest(exporter))) {
            HttpResponse<String> r = chat(stack, "hello, traced world");
            assertThat(r.statusCode()).isEqualTo(200);
            String served = r.headers().firstValue("x-jetway-endpoint").orElseThrow();

            List<SpanData> spans = awaitTrace(exporter);
            SpanData server = spans.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
            assertThat(server.getName()).isEqualTo("POST /v1/chat/completions");
            assertThat(spans).filteredOn(s -> s.getParentSpanId().equals(server.getSpanId()))
                    .extracting(SpanData::getName)
                    .containsExactlyInAnyOrder("parse", "admit", "tokenize", "schedule", "POST /v1/chat/completions");
            SpanData schedule = named(spans, "schedule");
            assertThat(schedule.getAttributes().get(TraceAttributes.ENDPOINT)).isEqualTo(served);
            assertThat(schedule.getAttributes().get(TraceAttributes.CANDIDATES)).isEqualTo(2L);
            assertThat(schedule.getAttributes().get(TraceAttributes.DECISION)).contains(served);
            SpanData leg = spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
            assertThat(leg.getAttributes().get(TraceAttributes.SERVER_ADDRESS) + ":"
                    + leg.getAttributes().get(TraceAttributes.SERVER_PORT)).isEqualTo(served);
            assertThat(leg.getEvents()).extracting(EventData::getName).containsExactly("first_token");
            assertThat(server.getAttributes().get(TraceAttributes.GEN_AI_OUTPUT_TOKENS)).isBetween(1L, 3L);
        }
    }

    @Test
    void aSplitRequestThroughUpPdShowsBothLegs() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        LocalStack.Options options = new LocalStack.Options("m", 0, "llama-3.1-8b-h100", "127.0.0.1", 0, 0, "pd")
                .withPd(dev.jetway.bench.config.PdSplit.parse("1P1D", "--pd"));
        try (LocalStack stack = LocalStack.start(options, everyRequest(exporter))) {
            assertThat(chat(stack, "a prompt long enough to be worth splitting ".repeat(10)).statusCode())
                    .isEqualTo(200);
            List<SpanData> spans = awaitTrace(exporter);
            assertThat(spans).filteredOn(s -> s.getKind() == SpanKind.CLIENT)
                    .extracting(s -> s.getAttributes().get(TraceAttributes.LEG))
                    .containsExactlyInAnyOrder("prefill", "decode");
            assertThat(named(spans, "schedule").getAttributes().get(TraceAttributes.PD_DECISION))
                    .isEqualTo("prefill-decode");
        }
    }

    @Test
    void upRefusesAnOtlpEndpointThatIsNotAUrl() {
        CliRun bad = CliRun.of("up", "--otlp-endpoint", "collector:4318");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--otlp-endpoint").contains("must be an http(s) URL");
        CliRun ratio = CliRun.of("up", "--otlp-endpoint", "http://127.0.0.1:4318", "--trace-sampling", "2");
        assertThat(ratio.exitCode()).isEqualTo(2);
        assertThat(ratio.err()).contains("between 0 and 1");
    }
}
