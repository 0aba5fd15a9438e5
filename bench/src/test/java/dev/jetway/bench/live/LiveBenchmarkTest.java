package dev.jetway.bench.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.bench.load.LoadProfile;
import dev.jetway.bench.load.LoadStage;
import dev.jetway.bench.load.RequestPlan;
import dev.jetway.bench.load.StageTransition;
import dev.jetway.bench.metrics.StageSummary;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.Summary;
import dev.jetway.bench.workload.IntDistribution;
import dev.jetway.bench.workload.RandomWorkload;
import java.net.URI;
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
