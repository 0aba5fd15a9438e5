package dev.jetway.bench.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jetway.bench.load.StageInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsCollectorTest {

    private static final long S = 1_000_000_000L;

    @Test
    void percentilesOfTtftMatchHandComputedValues() {
        MetricsCollector c = new MetricsCollector(List.of(new StageInfo(0, 100, 0, 1000 * S, false)), null);
        // TTFTs 1 ms .. 100 ms in 1 ms steps: p50 = 50 ms, p90 = 90 ms, p99 = 99 ms, mean = 50.5 ms.
        for (int i = 1; i <= 100; i++) {
            RequestTrace r = c.start(i, 0, 0);
            c.tokens(r, 1, i * 1_000_000L);
            c.finish(r, true, null, i * 1_000_000L, 10, 0, 0, -1);
        }
        Summary s = c.report("p", null).summary();
        assertThat(s.ttftP50S()).isCloseTo(0.050, within(0.0001));
        assertThat(s.ttftP90S()).isCloseTo(0.090, within(0.0001));
        assertThat(s.ttftP99S()).isCloseTo(0.099, within(0.0001));
        assertThat(s.ttftMeanS()).isCloseTo(0.0505, within(0.0001));
        assertThat(s.completed()).isEqualTo(100);
        assertThat(s.successRate()).isEqualTo(1.0);
    }

    @Test
    void itlTpotE2eHitRateAndThroughputWindows() {
        StageInfo warm = new StageInfo(0, 1, 0, 10 * S, true);
        StageInfo main = new StageInfo(1, 1, 10 * S, 20 * S, false);
        MetricsCollector c = new MetricsCollector(List.of(warm, main), new Slo(0.6, 0.15));
        // Warm-up request: excluded from the overall summary.
        RequestTrace w = c.start(0, 0, 0);
        c.tokens(w, 1, S);
        c.finish(w, true, null, S, 100, 0, 1, 0);
        // Scheduled at 11 s, first token at 11.5 s, then 4 tokens 0.1 s apart and a chunk of 2 tokens 0.4 s later.
        RequestTrace r = c.start(1, 1, 11 * S);
        c.tokens(r, 1, 11 * S + S / 2);
        for (int i = 1; i <= 4; i++) {
            c.tokens(r, 1, 11 * S + S / 2 + i * S / 10);
        }
        c.tokens(r, 2, 11 * S + S / 2 + 8 * S / 10);
        c.finish(r, true, null, 11 * S + S / 2 + 8 * S / 10, 1000, 600, 0, 3);
        // A failure and a request finishing after the window (its tokens are not window throughput).
        RequestTrace f = c.start(2, 1, 12 * S);
        c.finish(f, false, "HTTP 503: busy", 12 * S, 0, 0, 0, -1);
        RequestTrace late = c.start(3, 1, 19 * S);
        c.tokens(late, 1, 21 * S);
        c.finish(late, true, null, 21 * S, 1000, 0, 1, 3);

        PolicyReport report = c.report("p", new Cost(2.0, 4));
        Summary s = report.summary();
        assertThat(s.requests()).isEqualTo(3);
        assertThat(s.completed()).isEqualTo(2);
        assertThat(s.failed()).isEqualTo(1);
        assertThat(s.successRate()).isCloseTo(2 / 3.0, within(1e-9));
        assertThat(s.errors()).containsEntry("HTTP 503: busy", 1L);
        assertThat(s.ttftP50S()).isCloseTo(0.5, within(0.001));
        assertThat(s.ttftP99S()).isCloseTo(2.0, within(0.002));
        assertThat(s.e2eP50S()).isCloseTo(1.3, within(0.002));
        // ITL: four gaps of 0.1 s and two tokens sharing a 0.4 s gap (0.2 s each): mean (4*0.1 + 2*0.2)/6.
        assertThat(s.itlMeanS()).isCloseTo(0.8 / 6, within(0.001));
        // TPOT: (1.3 - 0.5) / (7 - 1).
        assertThat(s.tpotP50S()).isCloseTo(0.8 / 6, within(0.001));
        assertThat(s.prefixHitRate()).isCloseTo(600 / 2000.0, within(1e-9));
        // Window of 10 s: 7 output tokens and 1 completion inside it; the late request's token came at 21 s.
        assertThat(s.durationS()).isEqualTo(10.0);
        assertThat(s.outputTokensPerS()).isCloseTo(0.7, within(1e-9));
        assertThat(s.requestsPerS()).isCloseTo(0.1, within(1e-9));
        // SLO: the 0.5 s TTFT request meets TTFT <= 0.6 and TPOT <= 0.15; the late one (2 s) does not.
        assertThat(s.goodputRequestsPerS()).isCloseTo(0.1, within(1e-9));
        assertThat(s.sloAttainment()).isCloseTo(1 / 3.0, within(1e-9));
        // 7 tokens for 10 s of 4 GPUs at 2.0 per GPU-hour.
        assertThat(s.outputTokensPerDollar()).isCloseTo(7 / (2.0 * 4 * 10 / 3600), within(1e-6));
        assertThat(report.stages()).hasSize(2);
        assertThat(report.stages().get(0).warmup()).isTrue();
        assertThat(report.stages().get(0).summary().completed()).isEqualTo(1);
        assertThat(report.replicas()).extracting(ReplicaSummary::replica).containsExactly(0, 3);
        assertThat(report.replicas().get(1).requests()).isEqualTo(2);
        assertThat(report.replicas().get(1).prefixHitRate()).isCloseTo(0.3, within(1e-9));
    }

    @Test
    void replicaSamplesGiveQueueAndKvStatistics() {
        MetricsCollector c = new MetricsCollector(List.of(new StageInfo(0, 1, 0, S, false)), null);
        for (int i = 0; i < 10; i++) {
            c.sampleReplica(2, i, 5, i / 10.0);
        }
        ReplicaSummary r = c.report("p", null).replicas().getFirst();
        assertThat(r.queueMean()).isCloseTo(4.5, within(1e-9));
        assertThat(r.queueMax()).isEqualTo(9.0);
        assertThat(r.runningMean()).isCloseTo(5.0, within(1e-9));
        assertThat(r.kvUsageMax()).isCloseTo(0.9, within(1e-3));
    }

    @Test
    void drainedStagesCountThroughputByStageOverTheWindowsAsRunAndAverageTheStages() {
        // Planned windows [0, 10 s) and [10 s, 20 s); as run (stages drained), stage 0 took [0, 10 s] and stage 1
        // [12 s, 14 s].
        MetricsCollector c = new MetricsCollector(List.of(new StageInfo(0, 1, 0, 10 * S, false),
                new StageInfo(1, 1, 10 * S, 20 * S, false)), null, true);
        RequestTrace a = c.start(0, 0, S);
        c.tokens(a, 100, 9 * S);
        c.finish(a, true, null, 10 * S, 10, 0, 100, 0);
        // Stage 1's request runs past its planned window (16 s < 20 s, but its tokens land at 13 s of the run's
        // clock): by stage, its 100 tokens are stage 1's.
        RequestTrace b = c.start(1, 1, 12 * S);
        c.tokens(b, 100, 13 * S);
        c.finish(b, true, null, 14 * S, 10, 0, 100, 0);
        PolicyReport report = c.report("p", null, new long[] {0, 12 * S}, new long[] {10 * S, 14 * S});
        assertThat(report.stages().get(0).summary().outputTokensPerS()).isCloseTo(10.0, within(1e-9));
        assertThat(report.stages().get(1).summary().outputTokensPerS()).isCloseTo(50.0, within(1e-9));
        assertThat(report.stages().get(1).startS()).isEqualTo(12.0);
        assertThat(report.stages().get(1).summary().durationS()).isEqualTo(2.0);
        // Overall: 200 tokens over 12 s of windows; the stage mean (llm-d's "across QPS") is (10 + 50) / 2.
        assertThat(report.summary().outputTokensPerS()).isCloseTo(200 / 12.0, within(1e-9));
        assertThat(report.summary().stageMeanOutputTokensPerS()).isCloseTo(30.0, within(1e-9));
        assertThat(report.stages().get(0).summary().stageMeanOutputTokensPerS()).isNull();
    }
}
