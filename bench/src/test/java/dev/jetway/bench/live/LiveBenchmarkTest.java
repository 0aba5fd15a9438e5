package dev.jetway.bench.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.bench.load.LoadProfile;
import dev.jetway.bench.load.LoadStage;
import dev.jetway.bench.load.RequestPlan;
import dev.jetway.bench.load.StageTransition;
import dev.jetway.bench.metrics.ClassSummary;
import dev.jetway.bench.metrics.PrioritySummary;
import dev.jetway.bench.metrics.StageSummary;
import dev.jetway.bench.metrics.TenantSummary;
import dev.jetway.bench.traffic.TrafficClass;
import dev.jetway.bench.traffic.TrafficMix;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.Summary;
import dev.jetway.bench.workload.IntDistribution;
import dev.jetway.bench.workload.RandomWorkload;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LiveBenchmarkTest {

    @Test
    void measuresTtftItlUsageAndThroughputOverRealHttp() throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(60, 4, false)) {
            RandomWorkload workload = new RandomWorkload(IntDistribution.of(100), IntDistribution.of(10), 0, 1);
            RequestPlan plan = RequestPlan.build(workload, LoadProfile.constant(new LoadStage(40, 0.5)), 0);
            AtomicInteger progress = new AtomicInteger();
            PolicyReport report = new LiveBenchmark(LiveOptions.of(URI.create(server.baseUrl()), "m"))
                    .run(plan, 0, "fake", (done, total) -> progress.set(done));
            Summary s = report.summary();
            assertThat(s.requests()).isEqualTo(20);
            assertThat(s.completed()).isEqualTo(20);
            assertThat(s.successRate()).isEqualTo(1.0);
            assertThat(progress.get()).isEqualTo(20);
            assertThat(s.ttftP50S()).isBetween(0.055, 1.0);
            assertThat(s.itlMeanS()).isBetween(0.003, 0.1);
            assertThat(s.e2eP50S()).isGreaterThan(s.ttftP50S());
            assertThat(s.prefixHitRate()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.01));
            assertThat(server.lastBody.path("max_tokens").asInt()).isEqualTo(10);
            assertThat(server.lastBody.path("stream").asBoolean()).isTrue();
            assertThat(server.lastBody.path("ignore_eos").asBoolean()).isTrue();
            assertThat(server.lastBody.path("prompt").asText().split(" ")).hasSize(101);
        }
    }

    @Test
    void requestsAndHitRatesPerReplicaComeFromTheEndpointTheGatewayNames() throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(5, 1, false)) {
            server.namesEndpoints = true;
            RandomWorkload workload = new RandomWorkload(IntDistribution.of(100), IntDistribution.of(2), 0, 1);
            RequestPlan plan = RequestPlan.build(workload, LoadProfile.constant(new LoadStage(40, 0.5)), 0);
            // the second replica is one the benchmark scrapes: it keeps index 0; the other gets the next index
            PolicyReport report = new LiveBenchmark(LiveOptions.of(URI.create(server.baseUrl()), "m"),
                    List.of(URI.create("http://localhost:9002")), java.time.Duration.ofSeconds(60))
                    .run(plan, 0, "named", LiveBenchmark.Progress.NONE);
            assertThat(report.replicas()).hasSize(2);
            assertThat(report.replicas().get(0).replica()).isZero();
            assertThat(report.replicas().stream().mapToLong(r -> r.requests()).sum()).isEqualTo(20);
            assertThat(report.replicas()).allSatisfy(r -> {
                assertThat(r.requests()).isEqualTo(10);
                assertThat(r.prefixHitRate()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.01));
            });
        }
    }

    @Test
    void aTargetThatNamesNoEndpointReportsNoReplicas() throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(5, 1, false)) {
            RandomWorkload workload = new RandomWorkload(IntDistribution.of(10), IntDistribution.of(2), 0, 1);
            RequestPlan plan = RequestPlan.build(workload, LoadProfile.constant(new LoadStage(40, 0.25)), 0);
            PolicyReport report = new LiveBenchmark(LiveOptions.of(URI.create(server.baseUrl()), "m"))
                    .run(plan, 0, "plain", LiveBenchmark.Progress.NONE);
            assertThat(report.replicas()).isEmpty();
        }
    }

    @Test
    void latencyCountsFromTheScheduledSendTimeSoAQueueingServerShowsIt() throws Exception {
        // One request at a time, 100 ms each; five requests due within 4 ms: the fifth waits ~400 ms in line.
        try (FakeOpenAiServer server = new FakeOpenAiServer(100, 0, true)) {
            RandomWorkload workload = new RandomWorkload(IntDistribution.of(10), IntDistribution.of(1), 0, 1);
            RequestPlan plan = RequestPlan.build(workload, LoadProfile.constant(new LoadStage(1000, 0.005)), 0);
            Summary s = new LiveBenchmark(LiveOptions.of(URI.create(server.baseUrl() + "/v1"), "m"))
                    .run(plan, 0, "serial", LiveBenchmark.Progress.NONE).summary();
            assertThat(s.completed()).isEqualTo(5);
            assertThat(s.ttftP50S()).isGreaterThanOrEqualTo(0.29);
            // Measured from the actual send (closed loop) each would be ~0.1 s; lower bounds hold on a loaded machine.
            assertThat(s.ttftP99S()).isGreaterThanOrEqualTo(0.49);
        }
    }

    @Test
    void serverErrorsAndUnreachableServersAreFailuresWithTheirMessage() throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(1, 1, false)) {
            // Output lengths alternate 2 and 13; the fake server answers 503 to max_tokens 13.
            RandomWorkload workload = new RandomWorkload(IntDistribution.of(5),
                    new IntDistribution.Normal(7.5, 1000, 2, 13), 0, 3);
            RequestPlan plan = RequestPlan.build(workload, LoadProfile.constant(new LoadStage(100, 0.2)), 0);
            long failing = plan.requests().stream().filter(p -> p.request().maxTokens() == 13).count();
            assertThat(failing).isBetween(1L, 19L);
            Summary s = new LiveBenchmark(LiveOptions.of(URI.create(server.baseUrl()), "m"))
                    .run(plan, 2, "errors", LiveBenchmark.Progress.NONE).summary();
            assertThat(s.failed()).isEqualTo(failing);
            assertThat(s.completed()).isEqualTo(20 - failing);
            assertThat(s.errors()).containsEntry("HTTP 503: overloaded", failing);
        }
        RequestPlan one = RequestPlan.build(new RandomWorkload(IntDistribution.of(5), IntDistribution.of(2), 0, 1),
                LoadProfile.constant(new LoadStage(10, 0.1)), 0);
        Summary down = new LiveBenchmark(LiveOptions.of(URI.create("http://127.0.0.1:1"), "m"))
                .run(one, 0, "down", LiveBenchmark.Progress.NONE).summary();
        assertThat(down.failed()).isEqualTo(1);
        assertThat(down.errors()).containsKey("connection refused");
    }

    @Test
    void eachRequestCarriesItsTrafficClassHeadersAndShedRequestsCountPerClassWithTheirDroppedReason()
            throws Exception {
        TrafficMix mix = new TrafficMix(List.of(
                new TrafficClass("a-critical", 0.5, "tenant-a", "critical", 10, Map.of(
                        "x-llm-d-inference-objective", "critical", "x-llm-d-inference-fairness-id", "tenant-a",
                        "x-llm-d-slo-ttft-ms", "500")),
                TrafficClass.of("b-batch", 0.5, "tenant-b", "batch", -1)), 42);
        try (FakeOpenAiServer server = new FakeOpenAiServer(5, 1, false)) {
            RandomWorkload workload = new RandomWorkload(IntDistribution.of(20), IntDistribution.of(3), 0, 1);
            RequestPlan plan = RequestPlan.build(workload, LoadProfile.constant(new LoadStage(100, 0.4)), 0, mix);
            LiveOptions options = new LiveOptions(URI.create(server.baseUrl()), "m",
                    dev.jetway.bench.config.ApiType.COMPLETION, true, true, java.time.Duration.ofSeconds(30),
                    Map.of("Authorization", "Bearer t", "x-llm-d-inference-fairness-id", "overridden"), null, null);
            PolicyReport report = new LiveBenchmark(options).run(plan, 0, "fake", LiveBenchmark.Progress.NONE);
            assertThat(server.headers).hasSize(40);
            assertThat(server.headers).allSatisfy(h -> assertThat(h).containsEntry("authorization", "Bearer t"));
            long critical = server.headers.stream()
                    .filter(h -> "critical".equals(h.get("x-llm-d-inference-objective"))).count();
            long planned = plan.requests().stream().filter(p -> p.trafficClass().name().equals("a-critical")).count();
            assertThat(planned).isBetween(10L, 30L);
            assertThat(critical).isEqualTo(planned);
            assertThat(server.headers).allSatisfy(h -> {
                boolean isCritical = "critical".equals(h.get("x-llm-d-inference-objective"));
                // the class's fairness id wins over --header's
                assertThat(h.get("x-llm-d-inference-fairness-id")).isEqualTo(isCritical ? "tenant-a" : "tenant-b");
                assertThat(h.get("x-llm-d-slo-ttft-ms")).isEqualTo(isCritical ? "500" : null);
            });

            Summary s = report.summary();
            long shed = 40 - planned;
            assertThat(s.completed()).isEqualTo(planned);
            assertThat(s.failed()).isEqualTo(shed);
            assertThat(s.errors()).containsEntry("HTTP 429: pool saturated", shed);
            ClassSummary a = report.traffic().classes().get(0);
            ClassSummary b = report.traffic().classes().get(1);
            assertThat(a.name()).isEqualTo("a-critical");
            assertThat(a.requests()).isEqualTo(planned);
            assertThat(a.completed()).isEqualTo(planned);
            assertThat(a.failedByStatus()).isEmpty();
            assertThat(a.ttftP90S()).isBetween(0.004, 1.0);
            assertThat(a.outputTokensPerS()).isGreaterThan(0);
            assertThat(b.completed()).isZero();
            assertThat(b.failedByStatus()).containsExactly(Map.entry("429", shed));
            assertThat(b.droppedReasons()).containsExactly(Map.entry("rejected-saturated", shed));
            assertThat(b.timeToFailureMaxS()).isBetween(0.0, 5.0);
            assertThat(b.ttftP90S()).isNull();
            assertThat(report.traffic().priorities()).extracting(PrioritySummary::priority).containsExactly(10, -1);
            assertThat(report.traffic().tenants()).extracting(TenantSummary::tenant)
                    .containsExactly("tenant-a", "tenant-b");
        }
        // a failure without an answer (nothing listening) has no status
        RequestPlan one = RequestPlan.build(new RandomWorkload(IntDistribution.of(5), IntDistribution.of(2), 0, 1),
                LoadProfile.constant(new LoadStage(10, 0.1)), 0,
                new TrafficMix(List.of(TrafficClass.of("only", 1, "t", "critical", 10)), 1));
        PolicyReport down = new LiveBenchmark(LiveOptions.of(URI.create("http://127.0.0.1:1"), "m"))
                .run(one, 0, "down", LiveBenchmark.Progress.NONE);
        assertThat(down.traffic().classes().getFirst().failedByStatus()).containsExactly(Map.entry("none", 1L));
        assertThat(down.traffic().classes().getFirst().droppedReasons()).isEmpty();
    }

    @Test
    void aDrainedStageWaitsForThePreviousStagesRequestsThenTheLead() throws Exception {
        // One request at a time, 100 ms each. Stage 0 sends three at once; stage 1's request is planned 1 ms after
        // them but, drained as inference-perf does, goes out only when all three have ended, plus the 1 s lead.
        try (FakeOpenAiServer server = new FakeOpenAiServer(100, 0, true)) {
            RandomWorkload workload = new RandomWorkload(IntDistribution.of(10), IntDistribution.of(1), 0, 1);
            LoadProfile load = LoadProfile.constant(new LoadStage(1000, 0.003), new LoadStage(1000, 0.001))
                    .withTransition(StageTransition.inferencePerf(0));
            RequestPlan plan = RequestPlan.build(workload, load, 0);
            PolicyReport report = new LiveBenchmark(LiveOptions.of(URI.create(server.baseUrl()), "m"))
                    .run(plan, 0, "drained", LiveBenchmark.Progress.NONE);
            StageSummary first = report.stages().get(0);
            StageSummary second = report.stages().get(1);
            assertThat(first.summary().completed()).isEqualTo(3);
            assertThat(second.summary().completed()).isEqualTo(1);
            assertThat(first.summary().durationS()).isGreaterThanOrEqualTo(0.29);
            assertThat(second.startS()).isGreaterThanOrEqualTo(first.startS() + first.summary().durationS() + 1.0 - 1e-6);
            // Stage 0's last request queued behind two others; stage 1's found the server idle.
            assertThat(second.summary().ttftP50S()).isLessThan(first.summary().ttftP99S());
        }
    }
}
