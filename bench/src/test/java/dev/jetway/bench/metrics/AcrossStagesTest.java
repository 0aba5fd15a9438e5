package dev.jetway.bench.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jetway.bench.load.StageInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class AcrossStagesTest {

    private static final long S = 1_000_000_000L;

    /** Stage 0 warm-up (TTFT 5 s), stage 1: 10 requests at TTFT 0.1 s, stage 2: 30 requests at TTFT 1 s. */
    private static PolicyReport report() {
        List<StageInfo> stages = List.of(new StageInfo(0, 1, 0, 10 * S, true), new StageInfo(1, 1, 10 * S, 20 * S, false),
                new StageInfo(2, 3, 20 * S, 30 * S, false));
        MetricsCollector c = new MetricsCollector(stages, null);
        int index = 0;
        for (int[] stage : new int[][] {{0, 2, 5000}, {1, 10, 100}, {2, 30, 1000}}) {
            for (int i = 0; i < stage[1]; i++) {
                long send = (stage[0] * 10L) * S + i * (S / 4);
                long first = send + stage[2] * 1_000_000L;
                RequestTrace r = c.start(index++, stage[0], send);
                c.tokens(r, 1, first);
                c.tokens(r, 1, first + S / 100);
                c.finish(r, true, null, first + S / 100, 100, 0, 2, 0);
            }
        }
        return c.report("p", null);
    }

    @Test
    void weightsStageValuesBySuccessfulRequestsAndLeavesOutWarmUp() {
        PolicyReport report = report();
        AcrossStages across = report.acrossStages();
        // (0.1 s x 10 + 1 s x 30) / 40: what llm-d's report script prints, not the pooled p90 (1 s).
        assertThat(across.ttftP90S()).isCloseTo(0.775, within(0.005));
        assertThat(across.ttftMeanS()).isCloseTo(0.775, within(0.005));
        assertThat(report.summary().ttftP90S()).isCloseTo(1.0, within(0.01));
        assertThat(across.itlMeanS()).isCloseTo(0.01, within(0.0005));
        // Plain mean of the stages' throughput: stage 1 has 20 tokens in 10 s, stage 2 has 60 in 10 s.
        assertThat(across.outputTokensPerS()).isCloseTo((2.0 + 6.0) / 2, within(1e-9));
    }

    @Test
    void noMeasuredStageGivesNoValues() {
        StageSummary warmup = report().stages().getFirst();
        AcrossStages across = AcrossStages.of(List.of(warmup));
        assertThat(across.ttftP90S()).isNull();
        assertThat(across.outputTokensPerS()).isNull();
    }
}
