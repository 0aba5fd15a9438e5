package dev.jetway.scheduler.flow;

import static dev.jetway.scheduler.flow.FlowFixtures.MS;
import static dev.jetway.scheduler.flow.FlowFixtures.S;
import static dev.jetway.scheduler.flow.FlowFixtures.band;
import static dev.jetway.scheduler.flow.FlowFixtures.concurrency;
import static dev.jetway.scheduler.flow.FlowFixtures.config;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.flow.FlowFixtures.Recorder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrderingPoliciesTest {

    private final Recorder rec = new Recorder();
    private final Endpoint ep = new Endpoint("e", "e:1", Map.of());
    private final List<Endpoint> pool = List.of(ep);

    private FlowRequest slo(String id, long ttftMs) {
        return new FlowRequest(id, 0, "t", 10, 0, ttftMs * MS, rec);
    }

    @Test
    void fcfsKeepsArrivalOrder() {
        var fcfs = new FcfsOrdering("f");
        assertThat(fcfs.sortKey(slo("a", 5), 10, 60 * S)).isEqualTo(fcfs.sortKey(slo("b", 1), 99, 0));
    }

    @Test
    void edfDeadlineIsEnqueuePlusTtlAndFarFutureWithoutOne() {
        var edf = new EdfOrdering("e");
        assertThat(edf.sortKey(slo("a", 0), 10 * S, 60 * S)).isEqualTo(70 * S);
        assertThat(edf.sortKey(slo("a", 0), 10 * S, 0)).isEqualTo(OrderingPolicy.NO_DEADLINE);
        assertThat(edf.sortKey(slo("a", 0), Long.MAX_VALUE - 5, 60 * S)).isEqualTo(OrderingPolicy.NO_DEADLINE);
    }

    @Test
    void sloDeadlineGoesByTheTtftObjectiveThenFirstComeFirstServed() {
        FlowController fc = new FlowController(config(concurrency(10), band(0, new GlobalStrictFairness("g"),
                new SloDeadlineOrdering("slo"), Duration.ofSeconds(60))));
        Fixtures.inFlight(ep, 10, 0);
        long now = 5 * S;
        fc.submit(slo("none-1", 0), pool, now);
        fc.submit(slo("relaxed", 2000), pool, now);
        fc.submit(slo("none-2", 0), pool, now);
        fc.submit(slo("tight", 200), pool, now + 100 * MS);
        fc.submit(slo("tighter-but-late", 150), pool, now + 500 * MS); // deadline 650 ms after the first ones
        Fixtures.inFlight(ep, -10, 0);
        fc.dispatch(pool, now + 600 * MS);
        assertThat(rec.dispatchedIds()).containsExactly("tight", "tighter-but-late", "relaxed", "none-1", "none-2");
    }

    @Test
    void theTtftObjectiveComesFromLlmDsHeaderOrTheOldOne() {
        var canonical = InferenceRequest.builder("a").header("x-llm-d-slo-ttft-ms", "250").build();
        var old = InferenceRequest.builder("b").header("x-slo-ttft-ms", "300").priority(-1)
                .header("x-llm-d-inference-fairness-id", "tenant").bodySizeBytes(42).build();
        assertThat(FlowRequest.of(canonical, 0, rec).sloTtftNanos()).isEqualTo(250 * MS);
        FlowRequest r = FlowRequest.of(old, 17, rec);
        assertThat(r.sloTtftNanos()).isEqualTo(300 * MS);
        assertThat(r.priority()).isEqualTo(-1);
        assertThat(r.sheddable()).isTrue();
        assertThat(r.fairnessId()).isEqualTo("tenant");
        assertThat(r.byteSize()).isEqualTo(42);
        assertThat(r.tokens()).isEqualTo(17);
        assertThat(FlowRequest.of(InferenceRequest.builder("c").build(), 0, rec).fairnessId())
                .isEqualTo("default-flow");
    }
}
