package dev.jetway.scheduler.plugins.pd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.EndpointMetrics;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.PdDecision;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencyPdDeciderTest {

    private static Scheduler build(String producerParams) {
        String yaml = """
                apiVersion: llm-d.ai/v1
                kind: EndpointPickerConfig
                plugins:
                - type: predicted-latency-producer
                """ + producerParams + """
                - type: queue-scorer
                - type: prefill-filter
                - type: decode-filter
                - type: latency-pd-decider
                - type: disagg-profile-handler
                  parameters:
                    deciders:
                      prefill: latency-pd-decider
                schedulingProfiles:
                - name: prefill
                  plugins:
                  - pluginRef: prefill-filter
                  - pluginRef: queue-scorer
                - name: decode
                  plugins:
                  - pluginRef: decode-filter
                  - pluginRef: queue-scorer
                """;
        return Scheduler.fromConfig(EndpointPickerConfig.parse(yaml, "latency-pd.yaml"), Fixtures.env(1));
    }

    private static Endpoint endpoint(String id, String role, int waiting, int running, double kv) {
        Endpoint e = new Endpoint(id, id + ":8000", Map.of(Endpoint.ROLE_LABEL, role));
        e.updateMetrics(EndpointMetrics.of(waiting, running, kv, Fixtures.CLOCK.get()));
        return e;
    }

    private static InferenceRequest request(int words, int maxTokens) {
        return InferenceRequest.builder("r" + words).model("m").prompt("token ".repeat(words)).maxTokens(maxTokens)
                .build();
    }

    @Test
    void splitsALongPromptWhenTheDecodeEndpointIsBusyDecoding() {
        Scheduler s = build("");
        List<Endpoint> pool = List.of(endpoint("p", "prefill", 0, 0, 0), endpoint("d", "decode", 0, 64, 0.5));
        SchedulingResult r = s.schedule(request(8000, 200), pool);
        assertThat(r.pd().kind()).as(r.pd().describe()).isEqualTo(PdDecision.Kind.PREFILL_DECODE);
        assertThat(r.pd().reason()).contains("split", "aggregated");
    }

    @Test
    void keepsAShortPromptOnAnIdleDecodeEndpoint() {
        Scheduler s = build("");
        List<Endpoint> pool = List.of(endpoint("p", "prefill", 0, 0, 0), endpoint("d", "decode", 0, 0, 0));
        SchedulingResult r = s.schedule(request(20, 200), pool);
        assertThat(r.pd().kind()).as(r.pd().describe()).isEqualTo(PdDecision.Kind.DECODE_ONLY);
    }

    @Test
    void withoutPredictionsItComparesPrefillTime() {
        Scheduler s = build("""
                  parameters:
                    predictInProduce: false
                """);
        Endpoint busyPrefill = endpoint("p", "prefill", 0, 0, 0);
        Fixtures.inFlight(busyPrefill, 4, 200_000);
        Endpoint decode = endpoint("d", "decode", 0, 32, 0.3);
        SchedulingResult idleDecodeWins = s.schedule(request(4000, 100), List.of(busyPrefill, decode));
        assertThat(idleDecodeWins.pd().kind()).isEqualTo(PdDecision.Kind.DECODE_ONLY);
        assertThat(idleDecodeWins.pd().reason()).contains("estimate without predictions");
        SchedulingResult split = s.schedule(request(4000, 100), List.of(endpoint("p2", "prefill", 0, 0, 0), decode));
        assertThat(split.pd().kind()).isEqualTo(PdDecision.Kind.PREFILL_DECODE);
    }
}
