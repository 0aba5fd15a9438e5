package dev.jetway.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.scheduler.config.EndpointPickerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** What a decision explains, and that the buffers a cycle reuses never leak into another request's result. */
class DecisionRecordTest {

    private static final String QUEUE_AND_KV = """
            apiVersion: llm-d.ai/v1alpha1
            kind: EndpointPickerConfig
            plugins:
            - type: queue-scorer
            - type: kv-cache-utilization-scorer
            - type: max-score-picker
              parameters: {maxNumOfEndpoints: 2}
            schedulingProfiles:
            - name: default
              plugins:
              - pluginRef: queue-scorer
                weight: 2
              - pluginRef: kv-cache-utilization-scorer
              - pluginRef: max-score-picker
            """;

    private static Scheduler scheduler() {
        return Scheduler.fromConfig(EndpointPickerConfig.parse(QUEUE_AND_KV, "t"), Fixtures.env(5));
    }

    /** Endpoint i has i waiting requests: the lower i, the better; no ties. */
    private static List<Endpoint> ranked(String prefix, int n) {
        List<Endpoint> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Fixtures.endpoint(prefix + i, i, 0, i / (double) n));
        }
        return out;
    }

    @Test
    void byDefaultExplainsTheBestThreeAndThePickedWithTheirScores() {
        List<Endpoint> eps = ranked("ep", 6);
        SchedulingResult r = scheduler().schedule(Fixtures.request("hi"), eps);
        ProfileDecision d = r.decision().profile("default");
        assertThat(r.targets()).containsExactly(eps.get(0), eps.get(1));
        assertThat(d.scoredCount()).isEqualTo(6);
        assertThat(d.scoredEndpoints()).containsExactly(eps.get(0), eps.get(1), eps.get(2));
        assertThat(d.rawScore("queue-scorer", eps.get(0))).isEqualTo(1.0);
        assertThat(d.weightedScore("queue-scorer", eps.get(2))).isCloseTo(2 * 0.6, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(d.total(eps.get(0))).isEqualTo(3.0);
        assertThat(d.rawScore("queue-scorer", eps.get(5))).as("not explained by default").isNaN();
        assertThat(d.weight("kv-cache-utilization-scorer")).isEqualTo(1.0);
        assertThat(r.decision().toString()).endsWith("+3 more");
        assertThat(r.decision().toCompactString()).startsWith("default: pick=ep0,ep1 ")
                .contains("ep0=3.00{queue-scorer=1.00x2.00,kv-cache-utilization-scorer=1.00x1.00}");
    }

    @Test
    void aPickOutsideTheBestThreeIsExplainedToo() {
        String yaml = QUEUE_AND_KV.replace("max-score-picker", "random-picker")
                .replace("maxNumOfEndpoints: 2", "maxNumOfEndpoints: 1");
        Scheduler s = Scheduler.fromConfig(EndpointPickerConfig.parse(yaml, "t"), Fixtures.env(5));
        List<Endpoint> eps = ranked("ep", 40);
        boolean sawOutsider = false;
        for (int i = 0; i < 50; i++) {
            SchedulingResult r = s.schedule(Fixtures.request("hi"), eps);
            ProfileDecision d = r.decision().profile("default");
            Endpoint picked = r.primaryEndpoint();
            assertThat(d.scoredEndpoints()).startsWith(eps.get(0), eps.get(1), eps.get(2)).contains(picked);
            int rank = eps.indexOf(picked);
            // queue: (39 - rank) / 39 weighted 2; kv-cache utilization: 1 - rank / 40
            assertThat(d.total(picked)).isCloseTo(3.0 - 2.0 * rank / 39.0 - rank / 40.0,
                    org.assertj.core.data.Offset.offset(1e-9));
            sawOutsider |= eps.indexOf(picked) >= 3;
        }
        assertThat(sawOutsider).isTrue();
    }

    @Test
    void explainAllKeepsEveryScoredEndpoint() {
        Scheduler s = scheduler();
        s.setExplainAll(true);
        List<Endpoint> eps = ranked("ep", 6);
        ProfileDecision d = s.schedule(Fixtures.request("hi"), eps).decision().profile("default");
        assertThat(d.scoredEndpoints()).containsExactlyElementsOf(eps);
        assertThat(d.rawScore("queue-scorer", eps.get(5))).isEqualTo(0.0);
        assertThat(d.total(eps.get(4))).isGreaterThan(d.total(eps.get(5)));
    }

    @Test
    void aLaterCycleDoesNotChangeAnEarlierDecision() {
        Scheduler s = scheduler();
        List<Endpoint> small = ranked("a", 4);
        SchedulingResult first = s.schedule(Fixtures.request("hi"), small);
        String before = first.decision().toString();
        List<Endpoint> big = ranked("b", 64);
        java.util.Collections.reverse(big);
        s.schedule(Fixtures.request("hi"), big);
        s.schedule(Fixtures.request("hi"), ranked("c", 2));
        assertThat(first.decision().toString()).isEqualTo(before);
        assertThat(first.targets()).containsExactly(small.get(0), small.get(1));
    }

    @Test
    void concurrentCyclesEachGetTheirOwnBuffers() throws Exception {
        Scheduler s = scheduler();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int size = 3 + 7 * t;
                runs.add(pool.submit(() -> {
                    List<Endpoint> eps = ranked("t" + size + "-", size);
                    java.util.Collections.reverse(eps); // the best is last
                    for (int i = 0; i < 500; i++) {
                        SchedulingResult r = s.schedule(Fixtures.request("hi"), eps);
                        ProfileDecision d = r.decision().profile("default");
                        if (r.primaryEndpoint() != eps.get(size - 1) || d.scoredCount() != size
                                || d.rawScore("queue-scorer", eps.get(size - 1)) != 1.0) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : runs) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
