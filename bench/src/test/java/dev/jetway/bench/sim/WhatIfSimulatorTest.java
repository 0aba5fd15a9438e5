package dev.jetway.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jetway.bench.load.LoadProfile;
import dev.jetway.bench.load.LoadStage;
import dev.jetway.bench.load.PlannedRequest;
import dev.jetway.bench.load.RequestPlan;
import dev.jetway.bench.load.StageInfo;
import dev.jetway.bench.load.StageTransition;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.ReplicaSummary;
import dev.jetway.bench.metrics.Summary;
import dev.jetway.bench.report.BenchReport;
import dev.jetway.bench.report.JsonReport;
import dev.jetway.bench.workload.IntDistribution;
import dev.jetway.bench.workload.SharedPrefixWorkload;
import dev.jetway.bench.workload.WorkloadRequest;
import dev.jetway.bench.workload.RandomWorkload;
import dev.jetway.engine.EngineConfig;
import dev.jetway.engine.EngineRequest;
import dev.jetway.engine.EngineStep;
import dev.jetway.engine.KvEventSink;
import dev.jetway.engine.RequestObserver;
import dev.jetway.engine.Completion;
import dev.jetway.engine.VirtualClock;
import dev.jetway.engine.vllm.VllmEngine;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WhatIfSimulatorTest {

    private static final EngineConfig QWEN = EngineConfig.defaults("qwen3-32b-h100-tp2").withBlockSize(64);

    @Test
    void eachReplicaOfAHeterogeneousPoolRunsItsOwnProfile() {
        // Two requests of the same size far apart: round-robin sends the first to replica 0 (H100), the second to
        // replica 1 (A100), whose prefill is ~3x slower.
        RandomWorkload w = new RandomWorkload(IntDistribution.of(6000), IntDistribution.of(4), 0, 1);
        RequestPlan plan = new RequestPlan(List.of(new PlannedRequest(0, 0, w.request(0)),
                new PlannedRequest(20_000_000_000L, 0, w.request(1))), List.of(new StageInfo(0, 1, 0, 30_000_000_000L, false)));
        ClusterLayout pool = new ClusterLayout(List.of(new ClusterLayout.Group(1, QWEN),
                new ClusterLayout.Group(1, EngineConfig.defaults("qwen3-32b-a100-tp2").withBlockSize(64))));
        PolicyReport report = new WhatIfSimulator(SimulationOptions.of(pool))
                .runOne(plan, SimPolicy.of("round-robin"), WhatIfSimulator.Progress.NONE);
        assertThat(report.replicas()).extracting(ReplicaSummary::profile)
                .containsExactly("qwen3-32b-h100-tp2", "qwen3-32b-a100-tp2");
        assertThat(report.replicas()).extracting(ReplicaSummary::requests).containsExactly(1L, 1L);
        // two TTFTs: p50 is the H100's ~0.38 s prefill, p90 the A100's ~1.2 s
        assertThat(report.summary().ttftP50S()).isBetween(0.3, 0.45);
        assertThat(report.summary().ttftP90S()).isBetween(1.1, 1.3);
        PolicyReport uniform = new WhatIfSimulator(SimulationOptions.of(2, QWEN))
                .runOne(plan, SimPolicy.of("round-robin"), WhatIfSimulator.Progress.NONE);
        assertThat(uniform.replicas()).extracting(ReplicaSummary::profile).containsOnly("qwen3-32b-h100-tp2");
        assertThat(uniform.summary().ttftP90S()).isBetween(0.3, 0.45);
    }

    @Test
    void aPolicyWithALatencyModelReportsItsPredictionErrorAndOthersDoNot() {
        RandomWorkload w = new RandomWorkload(IntDistribution.of(2000), IntDistribution.of(50), 0, 3);
        List<PlannedRequest> requests = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            requests.add(new PlannedRequest(i * 250_000_000L, 0, w.request(i)));
        }
        RequestPlan plan = new RequestPlan(requests, List.of(new StageInfo(0, 4, 0, 50_000_000_000L, false)));
        WhatIfSimulator sim = new WhatIfSimulator(SimulationOptions.of(2, QWEN));
        PolicyReport withModel = sim.runOne(plan, SimPolicy.of("jetway"), WhatIfSimulator.Progress.NONE);
        assertThat(withModel.latencyModel()).isNotNull();
        assertThat(withModel.latencyModel().ttftMape()).isBetween(0.0, 1.0);
        assertThat(withModel.latencyModel().tpotMape()).isBetween(0.0, 1.0);
        assertThat(withModel.latencyModel().endpoints()).extracting(e -> e.endpoint()).contains("replica-0",
                "replica-1");
        // steady state: from 20% of the arrival span (the last request is due at 49.75 s) to the last arrival
        var steady = withModel.latencyModel().steady();
        assertThat(steady.fromSeconds()).isEqualTo(9);
        assertThat(steady.toSeconds()).isEqualTo(49);
        assertThat(steady.observations()).isBetween(140L, 2L * 200);
        assertThat(steady.ttftMape()).isBetween(0.0, 1.0);
        assertThat(steady.tpotMape()).isBetween(0.0, 1.0);
        assertThat(sim.runOne(plan, SimPolicy.of("round-robin"), WhatIfSimulator.Progress.NONE).latencyModel())
                .isNull();
    }

    @Test
    void oneReplicaOneRequestTtftIsThePrefillStepAndE2eAddsTheDecodeSteps() {
        WorkloadRequest w = new RandomWorkload(IntDistribution.of(3000), IntDistribution.of(5), 0, 1).request(0);
        RequestPlan plan = new RequestPlan(List.of(new PlannedRequest(0, 0, w)),
                List.of(new StageInfo(0, 1, 0, 1_000_000_000L, false)));
        // The same engine driven by hand: the first step prefills the whole 3,000-token prompt (under the 8,192
        // budget) and yields the first token; four one-token decode steps follow.
        VirtualClock clock = new VirtualClock(0);
        VllmEngine engine = new VllmEngine(QWEN.withSeed(42), clock, KvEventSink.NONE);
        long[] firstAndEnd = {-1, -1};
        engine.submit(EngineRequest.of("x", w.prompt().tokens(), 5), new RequestObserver() {
            @Override
            public void onTokens(int count, long timeNanos) {
                if (firstAndEnd[0] < 0) {
                    firstAndEnd[0] = timeNanos;
                }
            }

            @Override
            public void onFinished(Completion completion) {
                firstAndEnd[1] = completion.timeNanos();
            }
        });
        long t = 0;
        long prefillStep = -1;
        while (!engine.idle()) {
            EngineStep step = engine.plan(t);
            if (prefillStep < 0) {
                prefillStep = step.durationNanos();
            }
            t += step.durationNanos();
            clock.advanceTo(t);
            step.complete();
        }
        assertThat(firstAndEnd[0]).isEqualTo(prefillStep);

        PolicyReport report = new WhatIfSimulator(SimulationOptions.of(1, QWEN))
                .runOne(plan, SimPolicy.of("round-robin"), WhatIfSimulator.Progress.NONE);
        Summary s = report.summary();
        assertThat(s.completed()).isEqualTo(1);
        assertThat(s.ttftP50S()).isCloseTo(prefillStep / 1e9, within(prefillStep / 1e9 * 0.002));
        assertThat(s.e2eP50S()).isCloseTo(firstAndEnd[1] / 1e9, within(firstAndEnd[1] / 1e9 * 0.002));
        // 3,000 tokens at the profile's ~16k tokens/s prefill: about 0.19 s.
        assertThat(s.ttftP50S()).isBetween(0.12, 0.3);
        assertThat(s.prefixHitRate()).isZero();
        assertThat(report.replicas()).hasSize(1);
        assertThat(report.replicas().getFirst().requests()).isEqualTo(1);
    }

    private static RequestPlan sharedPrefixPlan() {
        SharedPrefixWorkload w = new SharedPrefixWorkload(new SharedPrefixWorkload.Spec(12, 4, IntDistribution.of(2000),
                IntDistribution.of(200), IntDistribution.of(20), 7, false));
        return RequestPlan.build(w, LoadProfile.poisson(new LoadStage(4, 10), new LoadStage(8, 10)), 0);
    }

    @Test
    void sameInputsGiveTheSameReportWhateverTheThreadCount() throws Exception {
        RequestPlan plan = sharedPrefixPlan();
        SimulationOptions options = SimulationOptions.of(4, QWEN);
        List<SimPolicy> policies = List.of(SimPolicy.of("approximate"), SimPolicy.of("random"));
        List<PolicyReport> a = new WhatIfSimulator(options).run(plan, policies, 2, WhatIfSimulator.Progress.NONE);
        List<PolicyReport> b = new WhatIfSimulator(options).run(plan, policies, 1, WhatIfSimulator.Progress.NONE);
        String ja = JsonReport.toJson(new BenchReport(1, "simulate", "t", Map.of(), a, Map.of()));
        String jb = JsonReport.toJson(new BenchReport(1, "simulate", "t", Map.of(), b, Map.of()));
        assertThat(ja).isEqualTo(jb);
        assertThat(a).extracting(PolicyReport::policy).containsExactly("approximate", "random");
    }

    @Test
    void prefixAwareRoutingReusesTheSharedSystemPromptsRandomRoutingDoesLess() throws Exception {
        RequestPlan plan = sharedPrefixPlan();
        List<PolicyReport> reports = new WhatIfSimulator(SimulationOptions.of(4, QWEN)).run(plan,
                List.of(SimPolicy.of("approximate"), SimPolicy.of("random")), 2, WhatIfSimulator.Progress.NONE);
        Summary approximate = reports.get(0).summary();
        Summary random = reports.get(1).summary();
        assertThat(approximate.completed()).isEqualTo(plan.requests().size());
        assertThat(random.completed()).isEqualTo(plan.requests().size());
        // 12 groups x 4 prompts: at best 3 of 4 prompts of a group hit their 2,000-token system prompt (~68%).
        assertThat(approximate.prefixHitRate()).isGreaterThan(0.5);
        assertThat(approximate.prefixHitRate()).isGreaterThan(random.prefixHitRate());
        // Every replica was scraped and its KV usage seen.
        assertThat(reports.get(0).replicas()).hasSize(4).allMatch(r -> r.kvUsageMax() != null && r.kvUsageMax() > 0);
    }

    @Test
    void precisePolicyLearnsFromTheEnginesKvEvents() throws Exception {
        RequestPlan plan = sharedPrefixPlan();
        SimulationOptions options = SimulationOptions.of(4, QWEN);
        List<PolicyReport> reports = new WhatIfSimulator(options).run(plan,
                List.of(SimPolicy.of("precise"), SimPolicy.of("random")), 2, WhatIfSimulator.Progress.NONE);
        assertThat(reports.get(0).policy()).isEqualTo("precise");
        Summary precise = reports.get(0).summary();
        assertThat(precise.completed()).isEqualTo(plan.requests().size());
        assertThat(precise.prefixHitRate()).isGreaterThan(0.5).isGreaterThan(reports.get(1).summary().prefixHitRate());
    }

    @Test
    void kvEventsReachTheListenerAfterTheConfiguredDelay() {
        WorkloadRequest w = new RandomWorkload(IntDistribution.of(640), IntDistribution.of(2), 0, 1).request(0);
        RequestPlan plan = new RequestPlan(List.of(new PlannedRequest(0, 0, w)),
                List.of(new StageInfo(0, 1, 0, 1_000_000_000L, false)));
        List<Long> delivered = new java.util.ArrayList<>();
        SimPolicy recording = new SimPolicy("recording", (env, endpoints, options) -> new SimPolicy.Instance(
                SimPolicy.of("round-robin").factory().create(env, endpoints, options).scheduler(),
                (replica, event, at) -> {
                    if (event instanceof dev.jetway.kvcache.event.KvEvent.BlockStored stored) {
                        delivered.add(at);
                        assertThat(stored.blockSize()).isEqualTo(64);
                    }
                }));
        Summary s = new WhatIfSimulator(SimulationOptions.of(1, QWEN)).runOne(plan, recording,
                WhatIfSimulator.Progress.NONE).summary();
        // 640 prompt tokens = 10 full blocks stored at the end of the prefill step, seen 10 ms later.
        assertThat(delivered).isNotEmpty();
        assertThat(delivered.getFirst() / 1e9).isCloseTo(s.ttftP50S() + 0.010, within(0.0005));
    }

    /**
     * Two identical-length requests on one replica, stage 1's planned 1 ms after stage 0's. Run back to back, the
     * second waits behind the first's prefill; drained as inference-perf does, it is sent only after the first has
     * finished plus 2 s (1 s load.interval, 1 s lead), finds the replica idle, and its TTFT is exactly the first's.
     */
    @Test
    void drainedStagesStartOnAnIdleClusterAfterIntervalAndLead() {
        RandomWorkload random = new RandomWorkload(IntDistribution.of(3000), IntDistribution.of(5), 0, 2);
        List<PlannedRequest> requests = List.of(new PlannedRequest(0, 0, random.request(0)),
                new PlannedRequest(1_000_000, 1, random.request(1)));
        List<StageInfo> stages = List.of(new StageInfo(0, 1000, 0, 1_000_000, false),
                new StageInfo(1, 1000, 1_000_000, 2_000_000, false));
        PolicyReport drained = new WhatIfSimulator(SimulationOptions.of(1, QWEN)).runOne(
                new RequestPlan(requests, stages, StageTransition.INFERENCE_PERF), SimPolicy.of("round-robin"),
                WhatIfSimulator.Progress.NONE);
        PolicyReport continuous = new WhatIfSimulator(SimulationOptions.of(1, QWEN)).runOne(
                new RequestPlan(requests, stages, StageTransition.CONTINUOUS), SimPolicy.of("round-robin"),
                WhatIfSimulator.Progress.NONE);
        Summary first = drained.stages().get(0).summary();
        Summary second = drained.stages().get(1).summary();
        assertThat(second.ttftP50S()).isEqualTo(first.ttftP50S());
        // (E2E from the histogram: 3 significant digits.)
        assertThat(drained.stages().get(1).startS()).isCloseTo(first.e2eP50S() + 2.0, within(0.002));
        // Each stage's window runs from its start to its last token: 5 tokens over the first request's E2E.
        assertThat(first.outputTokensPerS()).isCloseTo(5 / first.e2eP50S(), within(0.05));
        assertThat(continuous.stages().get(1).summary().ttftP50S()).isGreaterThan(first.ttftP50S() + 0.1);
    }

    /** Time outside the engine counts in the client's TTFT and E2E, before and after the routing decision alike. */
    @Test
    void theRequestPathAddsItsTimeToTtftAndE2e() {
        RandomWorkload random = new RandomWorkload(IntDistribution.of(3000), IntDistribution.of(5), 0, 1);
        RequestPlan plan = new RequestPlan(List.of(new PlannedRequest(0, 0, random.request(0))),
                List.of(new StageInfo(0, 1, 0, 1_000_000_000L, false)));
        Summary direct = new WhatIfSimulator(SimulationOptions.of(1, QWEN))
                .runOne(plan, SimPolicy.of("round-robin"), WhatIfSimulator.Progress.NONE).summary();
        Summary viaPath = new WhatIfSimulator(SimulationOptions.of(1, QWEN)
                .withPath(new RequestPath(30_000_000, 70_000_000)))
                .runOne(plan, SimPolicy.of("round-robin"), WhatIfSimulator.Progress.NONE).summary();
        assertThat(viaPath.ttftP50S()).isCloseTo(direct.ttftP50S() + 0.1, within(0.002));
        assertThat(viaPath.e2eP50S()).isCloseTo(direct.e2eP50S() + 0.1, within(0.002));
        assertThat(viaPath.itlMeanS()).isCloseTo(direct.itlMeanS(), within(1e-6));
    }

    /**
     * A request still running when the client's timeout passes fails as "timeout", its tokens do not count as stage
     * throughput (inference-perf counts successful requests only) and it stretches the stage's window to the timeout;
     * the engine aborted it, so the next stage's request finds the replica idle.
     */
    @Test
    void aRequestPastItsTimeoutFailsAndTheEngineLetsItGo() {
        RandomWorkload random = new RandomWorkload(IntDistribution.of(3000), IntDistribution.of(2000), 0, 2);
        List<PlannedRequest> requests = List.of(new PlannedRequest(0, 0, random.request(0)),
                new PlannedRequest(1_000_000, 1, new RandomWorkload(IntDistribution.of(3000), IntDistribution.of(5), 0,
                        2).request(1)));
        List<StageInfo> stages = List.of(new StageInfo(0, 1000, 0, 1_000_000, false),
                new StageInfo(1, 1000, 1_000_000, 2_000_000, false));
        PolicyReport report = new WhatIfSimulator(SimulationOptions.of(1, QWEN).withRequestTimeout(5_000_000_000L))
                .runOne(new RequestPlan(requests, stages, StageTransition.INFERENCE_PERF), SimPolicy.of("round-robin"),
                        WhatIfSimulator.Progress.NONE);
        Summary timedOut = report.stages().get(0).summary();
        assertThat(timedOut.failed()).isEqualTo(1);
        assertThat(timedOut.completed()).isZero();
        assertThat(timedOut.errors()).containsEntry("timeout", 1L);
        assertThat(timedOut.outputTokensPerS()).isZero();
        assertThat(timedOut.durationS()).isCloseTo(5.0, within(0.001));
        Summary next = report.stages().get(1).summary();
        assertThat(next.completed()).isEqualTo(1);
        // Alone on the replica: just its 3,000-token prefill (about 0.19 s), no decode of the aborted request in it.
        assertThat(next.ttftP50S()).isBetween(0.12, 0.3);
    }

    /** With a cap of one request in flight the second waits for the first to end, and that wait is its latency. */
    @Test
    void aConcurrencyCapHoldsRequestsBackAndTheWaitCounts() {
        RandomWorkload random = new RandomWorkload(IntDistribution.of(3000), IntDistribution.of(50), 0, 2);
        RequestPlan plan = new RequestPlan(List.of(new PlannedRequest(0, 0, random.request(0)),
                new PlannedRequest(1_000_000, 0, random.request(1))),
                List.of(new StageInfo(0, 2, 0, 1_000_000_000L, false)));
        SimulationOptions options = SimulationOptions.of(1, QWEN);
        Summary free = new WhatIfSimulator(options).runOne(plan, SimPolicy.of("round-robin"),
                WhatIfSimulator.Progress.NONE).summary();
        PolicyReport capped = new WhatIfSimulator(options.withClient(options.client().withMaxConcurrency(1)))
                .runOne(plan, SimPolicy.of("round-robin"), WhatIfSimulator.Progress.NONE);
        Summary s = capped.summary();
        assertThat(s.completed()).isEqualTo(2);
        // Uncapped, both prefill together and finish within ~2 prefills + 50 decodes; capped, the second starts only
        // after the first's E2E, so its TTFT exceeds the first request's whole E2E.
        assertThat(s.ttftP99S()).isGreaterThan(s.e2eP50S());
        assertThat(s.ttftP99S()).isGreaterThan(free.ttftP99S() + 0.5);
        assertThat(capped.replicas().getFirst().runningMean()).isLessThanOrEqualTo(1.0);
    }

    @Test
    void aRequestReleasedByTheCapWhenAnotherEndsMidStepWaitsForTheStepToComplete() {
        // Cap 2 on one replica, answers of 1 and 6 tokens alternating: the held request is sent as the short one
        // ends, from inside the engine's step completion; the engine must not plan a step in the middle of completing
        // one (it did: an exception, or tokens credited to the wrong requests).
        RandomWorkload w = new RandomWorkload(IntDistribution.of(300), IntDistribution.of(1), 0, 1);
        List<PlannedRequest> requests = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            WorkloadRequest r = w.request(i);
            requests.add(new PlannedRequest(i * 1_000_000L, 0,
                    new WorkloadRequest(i, r.prompt(), i % 2 == 0 ? 1 : 6, r.sessionId())));
        }
        // drained, so the stage's window holds every token (a continuous stage counts only the 12 ms it lasts)
        RequestPlan plan = new RequestPlan(requests, List.of(new StageInfo(0, 1000, 0, 12_000_000L, false)),
                StageTransition.inferencePerf(0));
        SimulationOptions options = SimulationOptions.of(1, QWEN);
        PolicyReport capped = new WhatIfSimulator(options.withClient(options.client().withMaxConcurrency(2)))
                .runOne(plan, SimPolicy.of("round-robin"), WhatIfSimulator.Progress.NONE);
        assertThat(capped.summary().completed()).isEqualTo(12);
        assertThat(capped.summary().failed()).isZero();
        // every request got exactly the tokens it asked for: 6 x 1 + 6 x 6
        assertThat(capped.summary().outputTokensPerS() * capped.summary().durationS()).isCloseTo(42, within(1e-6));
    }
}
