package dev.jetway.scheduler.plugins.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.EndpointMetrics;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.LoraInfo;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoraAffinityScorerTest {

    private static Endpoint withLora(String id, int max, Set<String> running, Set<String> waiting) {
        Endpoint e = Fixtures.endpoint(id, 0, 0, 0);
        e.updateMetrics(EndpointMetrics.of(0, 0, 0, 0).withLora(new LoraInfo(max, running, waiting)));
        return e;
    }

    @Test
    void prefersRunningThenRoomThenWaitingThenFull() {
        List<Endpoint> eps = List.of(
                withLora("running", 2, Set.of("sql"), Set.of()),
                withLora("room", 2, Set.of("chat"), Set.of()),
                withLora("waiting", 1, Set.of("chat"), Set.of("sql")),
                withLora("full", 1, Set.of("chat"), Set.of()));
        InferenceRequest r = InferenceRequest.builder("r").model("base").loraAdapter("sql").prompt("x").build();
        assertThat(Fixtures.score(new LoraAffinityScorer("l"), Fixtures.context(r, eps)))
                .containsExactly(1.0, 0.8, 0.6, 0.0);
    }

    @Test
    void baseModelRequestsHaveNoPreference() {
        List<Endpoint> eps = List.of(withLora("a", 1, Set.of("chat"), Set.of()), Fixtures.endpoint("b", 0, 0, 0));
        assertThat(Fixtures.score(new LoraAffinityScorer("l"), Fixtures.context(eps))).containsExactly(1.0, 1.0);
    }
}
