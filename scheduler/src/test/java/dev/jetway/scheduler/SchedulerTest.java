package dev.jetway.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SchedulerTest {

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final SchedulerEnvironment env = SchedulerEnvironment.deterministic(clock::get, 42);

    private static List<Endpoint> endpoints(int n) {
        List<Endpoint> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            Endpoint e = Endpoint.of("10.0.0." + i + ":8000");
            e.updateMetrics(EndpointMetrics.of(0, 0, 0.1, 0));
            out.add(e);
        }
        return out;
    }

    private static InferenceRequest request(String id, String prompt) {
        return InferenceRequest.builder(id).model("m").prompt(prompt).build();
    }

    @Test
    void defaultConfigSendsASharedPrefixBackToTheSameEndpoint() {
        Scheduler s = Scheduler.fromConfig(EndpointPickerConfig.defaultConfig(), env);
        List<Endpoint> eps = endpoints(8);
        String system = FillerText.sequence(2000, 0);
        SchedulingResult first = s.schedule(request("r1", system + " first question"), eps);
        Endpoint target = first.primaryEndpoint();
        s.preRequest(first);
        s.onFirstToken(first, target);
        s.onComplete(first, target, true);
        for (int i = 0; i < 5; i++) {
            SchedulingResult r = s.schedule(request("r" + (i + 2), system + " another question " + i), eps);
            assertThat(r.primaryEndpoint()).isSameAs(target);
            assertThat(r.decision().profile("default").rawScore("prefix-cache-scorer", target)).isGreaterThan(0.9);
            s.preRequest(r);
            s.onComplete(r, target, true);
        }
        assertThat(target.inFlightRequests()).isZero();
        assertThat(target.inFlightTokens()).isZero();
    }
}
