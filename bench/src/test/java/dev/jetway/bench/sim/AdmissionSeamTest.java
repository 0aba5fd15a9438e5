package dev.jetway.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.bench.load.LoadProfile;
import dev.jetway.bench.load.LoadStage;
import dev.jetway.bench.load.RequestPlan;
import dev.jetway.bench.metrics.ClassSummary;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.PrioritySummary;
import dev.jetway.bench.traffic.TrafficClass;
import dev.jetway.bench.traffic.TrafficMix;
import dev.jetway.bench.workload.IntDistribution;
import dev.jetway.bench.workload.RandomWorkload;
import dev.jetway.engine.EngineConfig;
import dev.jetway.scheduler.InferenceRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Traffic classes in the simulated request path, and the admit stage where flow control plugs in. */
class AdmissionSeamTest {

    private static final EngineConfig QWEN = EngineConfig.defaults("qwen3-32b-h100-tp2").withBlockSize(64);
    private static final long S = 1_000_000_000L;

    private static final TrafficMix TIERS = new TrafficMix(List.of(
            new TrafficClass("a-critical", 0.2, "tenant-a", "critical", 10, Map.of(
                    "x-llm-d-inference-objective", "critical", "x-llm-d-inference-fairness-id", "tenant-a",
                    "x-llm-d-slo-ttft-ms", "500")),
            TrafficClass.of("b-critical", 0.2, "tenant-b", "critical", 10),
            TrafficClass.of("a-standard", 0.2, "tenant-a", "standard", 0),
            TrafficClass.of("a-batch", 0.2, "tenant-a", "batch", -1),
            TrafficClass.of("b-batch", 0.2, "tenant-b", "batch", -1)), 42);

    /** 100 requests over 10 s: light for two replicas. */
    private static RequestPlan plan() {
        RandomWorkload w = new RandomWorkload(IntDistribution.of(500), IntDistribution.of(20), 0, 1);
        return RequestPlan.build(w, LoadProfile.constant(new LoadStage(10, 10)), 0, TIERS);
    }

    @Test
    void theRequestHandedToTheSchedulerCarriesItsClassPriorityFairnessIdAndHeaders() {
        RequestPlan plan = plan();
        Map<String, InferenceRequest> seen = new HashMap<>();
        Admission.Factory recording = context -> ticket -> {
            seen.put(ticket.request().requestId(), ticket.request());
            assertThat(ticket.arrivedNanos()).isEqualTo(context.nanos());
            assertThat(ticket.waiting()).isTrue();
            assertThat(ticket.dispatch()).isTrue();
            assertThat(ticket.waiting()).isFalse();
        };
        PolicyReport report = new WhatIfSimulator(SimulationOptions.of(2, QWEN).withAdmission(recording))
                .runOne(plan, SimPolicy.of("round-robin"), WhatIfSimulator.Progress.NONE);
        assertThat(seen).hasSize(100);
        plan.requests().forEach(p -> {
            InferenceRequest r = seen.get(p.request().id());
            TrafficClass c = p.trafficClass();
            assertThat(r.priority()).isEqualTo(c.priority());
            assertThat(r.fairnessId()).isEqualTo(c.tenant());
            assertThat(r.header("x-llm-d-inference-objective")).isEqualTo(c.objective());
            assertThat(r.headers()).containsAllEntriesOf(c.headers());
            assertThat(r.tokenIds()).hasSize(500);
        });
        assertThat(seen.get(plan.requests().stream().filter(p -> p.trafficClass().name().equals("a-critical"))
                .findFirst().orElseThrow().request().id()).header("x-llm-d-slo-ttft-ms")).isEqualTo("500");
        // dispatched at once, as the open admission does: all served, reported per class
        assertThat(report.summary().completed()).isEqualTo(100);
        assertThat(report.traffic().classes()).extracting(ClassSummary::requests).containsExactly(20L, 20L, 20L,
                20L, 20L);
        assertThat(report.traffic().classes()).allSatisfy(c -> assertThat(c.ttftP90S()).isBetween(0.01, 1.0));
        PrioritySummary critical = report.traffic().priorities().getFirst();
        assertThat(critical.priority()).isEqualTo(10);
        assertThat(critical.requests()).isEqualTo(40);
        assertThat(critical.tenantOutputTokensPerS()).containsOnlyKeys("tenant-a", "tenant-b");
        assertThat(critical.tenantMinMaxRatio()).isEqualTo(1.0); // same requests, same output lengths
    }

    @Test
    void theOpenAdmissionGivesTheSameRunAsNoneAndClassesDoNotChangeIt() {
        RandomWorkload w = new RandomWorkload(IntDistribution.of(800), IntDistribution.of(50), 0, 1);
        LoadProfile load = LoadProfile.poisson(new LoadStage(20, 10));
        WhatIfSimulator sim = new WhatIfSimulator(SimulationOptions.of(2, QWEN));
        PolicyReport plain = sim.runOne(RequestPlan.build(w, load, 0), SimPolicy.of("round-robin"),
                WhatIfSimulator.Progress.NONE);
        PolicyReport classed = sim.runOne(RequestPlan.build(w, load, 0, TIERS), SimPolicy.of("round-robin"),
                WhatIfSimulator.Progress.NONE);
        assertThat(plain.traffic()).isNull();
        assertThat(classed.summary()).isEqualTo(plain.summary());
        assertThat(classed.replicas()).isEqualTo(plain.replicas());
    }

    @Test
    void anAdmissionHoldsRejectsWithStatusAndReasonAndHearsEveryEnd() {
        RequestPlan plan = plan();
        List<String> calls = new ArrayList<>();
        int[] counts = new int[4]; // arrived, scheduled, ended, cancelled
        // Sheddable: 429 at once. Standard: held until 12.5 s (after the last arrival). Critical: straight through.
        Admission.Factory toy = context -> new Admission() {
            private final List<AdmissionTicket> held = new ArrayList<>();

            @Override
            public void arrived(AdmissionTicket t) {
                counts[0]++;
                int priority = t.request().priority();
                if (priority < 0) {
                    assertThat(t.reject(429, "rejected-saturated")).isTrue();
                    assertThat(t.reject(503, "again")).isFalse(); // answered once
                    assertThat(t.dispatch()).isFalse();
                    assertThat(t.waiting()).isFalse();
                } else if (priority == 0) {
                    if (held.isEmpty()) {
                        context.at(12 * S + S / 2, () -> held.forEach(AdmissionTicket::dispatch));
                    }
                    held.add(t);
                } else {
                    t.dispatch();
                }
            }

            @Override
            public void scheduled(AdmissionTicket t) {
                counts[1]++;
            }

            @Override
            public void ended(AdmissionTicket t, boolean ok) {
                counts[2]++;
                if (!ok) {
                    calls.add("failed " + t.request().requestId());
                }
            }

            @Override
            public void cancelled(AdmissionTicket t) {
                counts[3]++;
            }
        };
        PolicyReport report = new WhatIfSimulator(SimulationOptions.of(2, QWEN).withAdmission(toy))
                .runOne(plan, SimPolicy.of("round-robin"), WhatIfSimulator.Progress.NONE);
        assertThat(counts).containsExactly(100, 60, 60, 0);
        assertThat(calls).isEmpty();
        Map<String, ClassSummary> byName = new HashMap<>();
        report.traffic().classes().forEach(c -> byName.put(c.name(), c));
        ClassSummary batch = byName.get("a-batch");
        assertThat(batch.completed()).isZero();
        assertThat(batch.failedByStatus()).containsExactly(Map.entry("429", 20L));
        assertThat(batch.droppedReasons()).containsExactly(Map.entry("rejected-saturated", 20L));
        assertThat(batch.timeToFailureMaxS()).isZero(); // answered on arrival
        assertThat(report.summary().errors()).containsEntry("HTTP 429: rejected-saturated", 40L);
        ClassSummary standard = byName.get("a-standard");
        assertThat(standard.completed()).isEqualTo(20);
        // the first standard request arrived in the first second and waited until 12.5 s: the wait is in its TTFT
        assertThat(standard.ttftMaxS()).isGreaterThan(11.0);
        assertThat(standard.ttftP50S()).isGreaterThan(2.0);
        assertThat(byName.get("a-critical").ttftMaxS()).isLessThan(1.0);

        // With a 3 s timeout the requests held past it time out while held (those sent before 9.5 s): the admission
        // hears cancelled for them, not ended.
        counts[0] = counts[1] = counts[2] = counts[3] = 0;
        PolicyReport timedOut = new WhatIfSimulator(SimulationOptions.of(2, QWEN).withAdmission(toy)
                .withRequestTimeout(3 * S)).runOne(plan, SimPolicy.of("round-robin"), WhatIfSimulator.Progress.NONE);
        long expired = plan.requests().stream().filter(p -> p.trafficClass().priority() == 0
                && p.sendAtNanos() < 9 * S + S / 2).count();
        assertThat(expired).isBetween(10L, 19L);
        assertThat(counts).containsExactly(100, (int) (60 - expired), (int) (60 - expired), (int) expired);
        ClassSummary late = timedOut.traffic().classes().stream().filter(c -> c.name().equals("a-standard"))
                .findFirst().orElseThrow();
        // failures without a status: the cancelled ones and any that timed out after their late dispatch
        assertThat(late.failed()).isGreaterThanOrEqualTo(expired);
        assertThat(late.failedByStatus()).containsExactly(Map.entry("none", late.failed()));
        assertThat(late.timeToFailureMaxS()).isCloseTo(3.0, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void anEvictedRunningRequestFailsWithItsStatusAndTheAdmissionHearsItsEnd() {
        RequestPlan plan = plan();
        int[] ended = new int[2]; // ok, failed
        // Every sheddable request is evicted 100 ms after it was scheduled, mid-decode (20 tokens take longer).
        Admission.Factory evicting = context -> new Admission() {
            @Override
            public void arrived(AdmissionTicket t) {
                t.dispatch();
            }

            @Override
            public void scheduled(AdmissionTicket t) {
                if (t.request().priority() < 0) {
                    context.at(context.nanos() + S / 10, () -> t.evict(429, "evicted-priority"));
                }
            }

            @Override
            public void ended(AdmissionTicket t, boolean ok) {
                ended[ok ? 0 : 1]++;
            }
        };
        PolicyReport report = new WhatIfSimulator(SimulationOptions.of(2, QWEN).withAdmission(evicting))
                .runOne(plan, SimPolicy.of("round-robin"), WhatIfSimulator.Progress.NONE);
        assertThat(ended).containsExactly(60, 40);
        PrioritySummary sheddable = report.traffic().priorities().getLast();
        assertThat(sheddable.priority()).isEqualTo(-1);
        assertThat(sheddable.failedByStatus()).containsExactly(Map.entry("429", 40L));
        assertThat(sheddable.droppedReasons()).containsExactly(Map.entry("evicted-priority", 40L));
        assertThat(sheddable.timeToFailureMaxS()).isBetween(0.1, 0.2);
        assertThat(report.summary().errors()).containsEntry("HTTP 429: evicted-priority", 40L);
    }

    @Test
    void anAdmissionMayDispatchFromInsideAnEndWhileTheEngineCompletesItsStep() {
        // Two at a time on one replica; the next waiting request goes as one ends, i.e. from inside the engine's step
        // completion (a request finishing is reported there). Short and long answers alternate, so a step holds a
        // request that finishes next to ones that go on.
        RandomWorkload w = new RandomWorkload(IntDistribution.of(300), IntDistribution.of(1), 0, 1);
        List<dev.jetway.bench.load.PlannedRequest> requests = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            var r = w.request(i);
            requests.add(new dev.jetway.bench.load.PlannedRequest(i * 1_000_000L, 0,
                    new dev.jetway.bench.workload.WorkloadRequest(i, r.prompt(), i % 2 == 0 ? 1 : 6, r.sessionId())));
        }
        RequestPlan plan = new RequestPlan(requests,
                List.of(new dev.jetway.bench.load.StageInfo(0, 1000, 0, 12_000_000L, false)));
        Admission.Factory twoAtATime = context -> new Admission() {
            private final java.util.ArrayDeque<AdmissionTicket> queue = new java.util.ArrayDeque<>();
            private int running;

            @Override
            public void arrived(AdmissionTicket t) {
                queue.add(t);
                next();
            }

            @Override
            public void ended(AdmissionTicket t, boolean ok) {
                running--;
                next();
            }

            private void next() {
                while (running < 2 && !queue.isEmpty()) {
                    running++;
                    queue.poll().dispatch();
                }
            }
        };
        PolicyReport report = new WhatIfSimulator(SimulationOptions.of(1, QWEN).withAdmission(twoAtATime))
                .runOne(plan, SimPolicy.of("round-robin"), WhatIfSimulator.Progress.NONE);
        assertThat(report.summary().completed()).isEqualTo(12);
        assertThat(report.replicas().getFirst().runningMean()).isLessThanOrEqualTo(2.0);
    }
}
