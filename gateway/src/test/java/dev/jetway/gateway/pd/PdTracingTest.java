package dev.jetway.gateway.pd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.config.TracingSettings;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.gateway.trace.Spans;
import dev.jetway.gateway.trace.TraceAttributes;
import dev.jetway.gateway.trace.Tracing;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import dev.jetway.sim.SimRole;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A split request's trace: the P/D decision on the schedule span, then a prefill leg and a decode leg, in order. */
class PdTracingTest {

    @Test
    void aSplitRequestHasAPrefillLegThenADecodeLegUnderItsRequestSpan() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (SimCluster sim = SimCluster.start(SimOptions.defaults("m").withBindHost("127.0.0.1").withPort(0),
                List.of(SimRole.PREFILL, SimRole.DECODE))) {
            int prefill = sim.replicas().get(0).httpPort();
            int decode = sim.replicas().get(1).httpPort();
            String yaml = PdYaml.pool("m", List.of(new PdYaml.Member("127.0.0.1:" + prefill, "prefill"),
                    new PdYaml.Member("127.0.0.1:" + decode, "decode")), false, "{mode: gateway}", "");
            try (GatewayHarness gw = GatewayHarness.start(ConfigLoader.parse(yaml, "test"), Tracing.start(
                    new TracingSettings(true, null, null, 1.0, null, null, null), exporter))) {
                await().atMost(Duration.ofSeconds(10)).until(() -> gw.get(gw.uri("/ready")).statusCode() == 200);
                assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"" + "split me ".repeat(40)
                        + "\",\"max_tokens\":3,\"stream\":true}").statusCode()).isEqualTo(200);

                Spans spans = Spans.awaitRequest(exporter);
                SpanData schedule = spans.named("schedule");
                assertThat(schedule.getAttributes().get(TraceAttributes.PD_DECISION)).isEqualTo("prefill-decode");
                assertThat(schedule.getAttributes().get(TraceAttributes.PREFILL_ENDPOINT))
                        .isEqualTo("127.0.0.1:" + prefill);
                assertThat(spans.clients()).hasSize(2);
                SpanData prefillLeg = spans.clients().stream()
                        .filter(s -> "prefill".equals(s.getAttributes().get(TraceAttributes.LEG))).findFirst()
                        .orElseThrow();
                SpanData decodeLeg = spans.clients().stream()
                        .filter(s -> "decode".equals(s.getAttributes().get(TraceAttributes.LEG))).findFirst()
                        .orElseThrow();
                assertThat(prefillLeg.getParentSpanId()).isEqualTo(spans.server().getSpanId());
                assertThat(decodeLeg.getParentSpanId()).isEqualTo(spans.server().getSpanId());
                assertThat(prefillLeg.getAttributes().get(TraceAttributes.SERVER_PORT)).isEqualTo((long) prefill);
                assertThat(decodeLeg.getAttributes().get(TraceAttributes.SERVER_PORT)).isEqualTo((long) decode);
                assertThat(prefillLeg.getAttributes().get(TraceAttributes.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(200L);
                assertThat(prefillLeg.getEndEpochNanos()).isLessThanOrEqualTo(decodeLeg.getStartEpochNanos());
                assertThat(decodeLeg.getEvents()).extracting(EventData::getName).containsExactly("first_token");
            }
        }
    }
}
