package dev.jetway.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.scheduler.config.EndpointPickerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class SchedulerLifecycleTest {

    private static Scheduler scheduler(String yaml) {
        return Scheduler.fromConfig(EndpointPickerConfig.parse(yaml, "t"), Fixtures.env(3));
    }

    private static final String QUEUE_ONLY = """
            apiVersion: llm-d.ai/v1alpha1
            kind: EndpointPickerConfig
            plugins:
            - type: decode-filter
            - type: queue-scorer
            - type: max-score-picker
              parameters: {maxNumOfEndpoints: 2}
            """;

    @Test
    void inFlightCountsFollowTheRequestAndMoveWithARetry() {
        Scheduler s = Scheduler.fromConfig(EndpointPickerConfig.defaultConfig(), Fixtures.env(3));
        List<Endpoint> eps = Fixtures.endpoints(3);
        SchedulingResult r = s.schedule(Fixtures.request(FillerText.sequence(400, 0)), eps);
        List<Endpoint> targets = r.targets();
        assertThat(targets).hasSize(3).doesNotHaveDuplicates();
        Endpoint first = targets.get(0);
        Endpoint fallback = targets.get(1);

        s.preRequest(r, first);
        assertThat(first.inFlightRequests()).isEqualTo(1);
        long promptTokens = first.inFlightTokens();
        assertThat(promptTokens).as("estimate: ~4 bytes per token").isBetween(500L, 1000L);

        s.preRequest(r, fallback); // first endpoint failed before any byte: retried on the fallback
        assertThat(first.inFlightRequests()).isZero();
        assertThat(first.inFlightTokens()).isZero();
        assertThat(fallback.inFlightRequests()).isEqualTo(1);

        s.onFirstToken(r, fallback);
        assertThat(fallback.inFlightTokens()).isZero();
        assertThat(fallback.inFlightRequests()).isEqualTo(1);
        assertThat(fallback.inFlightContextTokens()).as("the uncached prompt occupies KV until completion")
                .isEqualTo(promptTokens);
        s.onComplete(r, fallback, true);
        s.onComplete(r, fallback, false); // reported twice: still released once
        assertThat(fallback.inFlightRequests()).isZero();
        assertThat(eps).allSatisfy(e -> assertThat(e.inFlightTokens()).isZero());
        assertThat(eps).allSatisfy(e -> assertThat(e.inFlightContextTokens()).isZero());
    }

    @Test
    void cachedPrefixIsNotCountedAsInFlightPrefill() {
        Scheduler s = Scheduler.fromConfig(EndpointPickerConfig.defaultConfig(), Fixtures.env(3));
        List<Endpoint> eps = Fixtures.endpoints(2);
        String system = FillerText.sequence(2000, 0);
        SchedulingResult r1 = s.schedule(Fixtures.request(system + " one"), eps);
        s.preRequest(r1);
        long coldTokens = r1.primaryEndpoint().inFlightTokens();
        s.onComplete(r1, r1.primaryEndpoint(), true);
        SchedulingResult r2 = s.schedule(Fixtures.request(system + " two"), eps);
        s.preRequest(r2);
        assertThat(r2.primaryEndpoint()).isSameAs(r1.primaryEndpoint());
        assertThat(r2.primaryEndpoint().inFlightTokens()).isLessThan(coldTokens / 10);
        s.onComplete(r2, r2.primaryEndpoint(), true);
    }

    @Test
    void decisionRecordShowsFiltersScoresAndPick() {
        Scheduler s = scheduler(QUEUE_ONLY);
        Endpoint prefill = Fixtures.labeled("prefill0", java.util.Map.of(Endpoint.ROLE_LABEL, "prefill"));
        Endpoint busy = Fixtures.endpoint("busy", 8, 0, 0);
        Endpoint idle = Fixtures.endpoint("idle", 0, 0, 0);
        SchedulingResult r = s.schedule(Fixtures.request("hi"), List.of(prefill, busy, idle));
        assertThat(r.primaryEndpoint()).isSameAs(idle);
        assertThat(r.targets()).containsExactly(idle, busy);
        ProfileDecision d = r.decision().profile("default");
        assertThat(d.removedBy("decode-filter")).containsExactly(prefill);
        assertThat(d.rawScore("queue-scorer", idle)).isEqualTo(1.0);
        assertThat(d.rawScore("queue-scorer", busy)).isEqualTo(0.0);
        assertThat(d.rawScore("queue-scorer", prefill)).isNaN();
        assertThat(d.total(idle)).isEqualTo(1.0);
        assertThat(r.decision().toCompactString())
                .isEqualTo("default: pick=idle,busy (max-score-picker: highest total score (random tie-break))"
                        + " -decode-filter[prefill0] scores idle=1.00{queue-scorer=1.00x1.00}; "
                        + "busy=0.00{queue-scorer=0.00x1.00}")
                .doesNotContain("\n");
        assertThat(r.decision().toString()).startsWith("request req candidates=3 | default:");
    }

    @Test
    void noEligibleEndpointGivesAnEmptyResultNotAnException() {
        Scheduler s = scheduler(QUEUE_ONLY);
        Endpoint prefill = Fixtures.labeled("p", java.util.Map.of(Endpoint.ROLE_LABEL, "prefill"));
        SchedulingResult r = s.schedule(Fixtures.request("hi"), List.of(prefill));
        assertThat(r.isEmpty()).isTrue();
        assertThat(r.primaryEndpoint()).isNull();
        assertThat(r.decision().toCompactString()).contains("pick=none");
        assertThat(s.schedule(Fixtures.request("hi"), List.of()).isEmpty()).isTrue();
    }

    @Test
    void sessionTokenHeaderComesBackThroughTheScheduler() {
        Scheduler s = scheduler("""
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: session-affinity-scorer
                """);
        List<Endpoint> eps = Fixtures.endpoints(4);
        SchedulingResult r = s.schedule(Fixtures.request("x"), eps);
        String token = s.responseHeaders(r, eps.get(2)).get("x-session-token");
        InferenceRequest next = InferenceRequest.builder("2").model("m").prompt("x").header("x-session-token", token)
                .build();
        for (int i = 0; i < 10; i++) {
            assertThat(s.schedule(next, eps).primaryEndpoint()).isSameAs(eps.get(2));
        }
    }

    @Test
    void manyThreadsSchedulingLeaveNoCountsBehind() throws Exception {
        Scheduler s = Scheduler.fromConfig(EndpointPickerConfig.defaultConfig(), SchedulerEnvironment.system());
        List<Endpoint> eps = Fixtures.endpoints(8);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        String prompt = FillerText.sequence(300, (thread * 7 + i) % 20 * 1000) + " q" + i;
                        SchedulingResult r = s.schedule(Fixtures.request(prompt), eps);
                        Endpoint e = r.primaryEndpoint();
                        s.preRequest(r, e);
                        if (i % 3 == 0) {
                            s.onFirstToken(r, e);
                        }
                        s.onComplete(r, e, i % 5 != 0);
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(eps).allSatisfy(e -> {
            assertThat(e.inFlightRequests()).isZero();
            assertThat(e.inFlightTokens()).isZero();
            assertThat(e.inFlightContextTokens()).isZero();
        });
    }

    @Test
    void pluginTimerHearsEveryPluginOfTheCycle() {
        Scheduler s = Scheduler.fromConfig(EndpointPickerConfig.defaultConfig(), Fixtures.env(3));
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        s.setPluginTimer((point, type, name, nanos) -> {
            assertThat(nanos).isNotNegative();
            seen.add(point + ":" + name);
        });
        SchedulingResult r = s.schedule(Fixtures.request("hello world"), Fixtures.endpoints(2));
        s.preRequest(r);
        assertThat(seen).containsExactly("DataProducer:token-producer", "DataProducer:approx-prefix-cache-producer",
                "DataProducer:predicted-latency-producer", "Filter:slo-headroom-tier-filter",
                "Scorer:latency-cost-scorer", "Picker:max-score-picker", "PreRequest:approx-prefix-cache-producer",
                "PreRequest:predicted-latency-producer");
        s.setPluginTimer(null);
        s.schedule(Fixtures.request("again"), Fixtures.endpoints(2));
        assertThat(seen).hasSize(8);
    }
}
