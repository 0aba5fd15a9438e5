package dev.jetway.scheduler.plugins.admitter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.EndpointMetrics;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import dev.jetway.scheduler.latency.SloTargets;
import dev.jetway.scheduler.spi.Rejection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The admitter through a real scheduling cycle: the producer predicts, the admitter decides, the result says so. */
class LatencySloAdmitterTest {

    private static final String CONFIG = """
            apiVersion: llm-d.ai/v1alpha1
            kind: EndpointPickerConfig
            plugins:
            - type: latency-slo-admitter
            - type: latency-scorer
            """;

    private static Endpoint busy(String id, double kv) {
        Endpoint e = new Endpoint(id, id + ":8000", java.util.Map.of());
        e.updateMetrics(new EndpointMetrics(0, 20, kv, 16, 10_000, null, Fixtures.CLOCK.get()));
        Fixtures.prefilling(e, 4, 60_000); // a minute of prefill ahead at the prior's rate
        return e;
    }

    private static SchedulingResult schedule(List<Endpoint> eps, int priority, String ttftSloMs) {
        Scheduler s = Scheduler.fromConfig(EndpointPickerConfig.parse(CONFIG, "t"), Fixtures.env(1));
        InferenceRequest.Builder b = InferenceRequest.builder("r").prompt("hello there").priority(priority);
        if (ttftSloMs != null) {
            b.header(SloTargets.TTFT_HEADER, ttftSloMs);
        }
        return s.schedule(b.build(), eps);
    }

    @Test
    void refusesASheddableRequestNoBusyEndpointCanServeInTime() {
        SchedulingResult r = schedule(List.of(busy("a", 0.5), busy("b", 0.6)), -1, "200");
        assertThat(r.isEmpty()).isTrue();
        Rejection rejection = r.rejection();
        assertThat(rejection).isNotNull();
        assertThat(rejection.status()).isEqualTo(429);
        assertThat(rejection.droppedReason()).isEqualTo("rejected-saturated");
        assertThat(rejection.message()).contains("TTFT 200 ms");
    }

    @Test
    void admitsBestEffortWhenTheRequestIsNotSheddableHasNoObjectiveOrAnEndpointIsIdleOrCold() {
        assertThat(schedule(List.of(busy("a", 0.5), busy("b", 0.6)), 0, "200").rejection()).isNull();
        assertThat(schedule(List.of(busy("a", 0.5), busy("b", 0.6)), -1, null).rejection()).isNull();
        assertThat(schedule(List.of(busy("a", 0.5), busy("b", 0.01)), -1, "200").rejection()).as("cold").isNull();
        Endpoint idle = Fixtures.endpoint("idle", 0, 0, 0.5);
        Fixtures.prefilling(idle, 4, 60_000);
        assertThat(schedule(List.of(busy("a", 0.5), idle), -1, "200").rejection()).as("idle").isNull();
        SchedulingResult served = schedule(List.of(busy("a", 0.5), busy("b", 0.6)), -1, "120000");
        assertThat(served.rejection()).isNull();
        assertThat(served.primaryEndpoint()).isNotNull();
    }
}
