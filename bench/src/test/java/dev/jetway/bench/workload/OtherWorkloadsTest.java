package dev.jetway.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OtherWorkloadsTest {

    @Test
    void randomWorkloadRepeatsItsPromptsCyclicallyWithLengthsFromTheDistributions() {
        RandomWorkload w = new RandomWorkload(new IntDistribution.Normal(300, 50, 200, 400), IntDistribution.of(20), 5, 3);
        for (int i = 0; i < 20; i++) {
            assertThat(w.request(i).prompt().tokenCount()).isBetween(200, 400);
            assertThat(w.request(i).maxTokens()).isEqualTo(20);
            assertThat(w.request(i + 5).prompt()).isEqualTo(w.request(i).prompt());
        }
        assertThat(SharedPrefixWorkloadTest.commonPrefix(w.request(0).prompt().tokens(), w.request(1).prompt().tokens()))
                .isZero();
    }

    @Test
    void chatSessionsGrowTurnByTurnAndKeepTheirHistoryAsPrefix() {
        ChatWorkload w = new ChatWorkload(3, 4, IntDistribution.of(100), IntDistribution.of(20), IntDistribution.of(10), 9);
        WorkloadRequest t0 = w.request(1);
        WorkloadRequest t1 = w.request(4);
        WorkloadRequest t2 = w.request(7);
        assertThat(t1.sessionId()).isEqualTo(t0.sessionId()).isEqualTo(t2.sessionId());
        assertThat(t0.prompt().tokenCount()).isEqualTo(120);
        assertThat(t1.prompt().tokenCount()).isEqualTo(150);
        assertThat(t2.prompt().tokenCount()).isEqualTo(180);
        assertThat(SharedPrefixWorkloadTest.commonPrefix(t1.prompt().tokens(), t2.prompt().tokens())).isGreaterThanOrEqualTo(150);
        WorkloadRequest restarted = w.request(1 + 3 * 4); // fifth turn: a new conversation
        assertThat(restarted.sessionId()).isNotEqualTo(t0.sessionId());
        assertThat(restarted.prompt().tokenCount()).isEqualTo(120);
    }
}
