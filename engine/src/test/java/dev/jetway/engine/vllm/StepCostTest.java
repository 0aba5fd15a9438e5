package dev.jetway.engine.vllm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.engine.EngineStep;
import dev.jetway.engine.cost.StepCostModel;
import org.junit.jupiter.api.Test;

class StepCostTest {

    private final StepCostModel cost = new StepCostModel(ToyProfile.PROFILE);

    @Test
    void toyProfileDerivesItsCoefficientsFromTheModelShape() {
        assertThat(ToyProfile.PROFILE.model().flopsPerToken()).isEqualTo(1e9);
        assertThat(ToyProfile.PROFILE.model().attentionFlopsPerPair()).isEqualTo(4000);
        assertThat(ToyProfile.PROFILE.kvBytesPerToken()).isEqualTo(1000);
        assertThat(ToyProfile.PROFILE.model().weightBytes()).isEqualTo(1e9);
    }

    @Test
    void attentionPairsAreCausalOverTheCachedContext() {
        assertThat(StepCostModel.attentionPairs(0, 1000)).isEqualTo(500_500);
        assertThat(StepCostModel.attentionPairs(1000, 1)).isEqualTo(1001);
        assertThat(StepCostModel.attentionPairs(10, 3)).isEqualTo(30 + 6);
    }

    @Test
    void prefillStepIsComputeBound() {
        // compute = (1000 × 1e9 + 500,500 × 4000) / 1e12 = 1.002002 s
        // memory = (1e9 + 1000 × 1000) / 1e11 = 10.01 ms
        // T = 1 ms + 1 × 0.1 ms + 1.002002 s
        assertThat(cost.stepNanos(1, 1000, 500_500, 1000)).isEqualTo(1_003_102_000L);
    }

    @Test
    void decodeStepIsMemoryBound() {
        // compute = (1e9 + 1001 × 4000) / 1e12 = 1.004 ms; memory = (1e9 + 1001 × 1000) / 1e11 = 10.01001 ms
        assertThat(cost.stepNanos(1, 1, 1001, 1001)).isEqualTo(1_100_000L + 10_010_010L);
    }

    @Test
    void transferTimeIsKvBytesOverLinkBandwidth() {
        assertThat(cost.transferNanos(1000)).isEqualTo(1_000_000L); // 1000 tokens × 1000 B / 1 GB/s
    }

    @Test
    void engineChargesExactlyTheFormulaForItsSteps() {
        Driver d = new Driver(ToyProfile.config(16, 1000));
        d.submit("a", Driver.tokens(1, 1000), 2);
        EngineStep prefill = d.step();
        assertThat(prefill.batchedTokens()).isEqualTo(1000);
        assertThat(prefill.durationNanos()).isEqualTo(1_003_102_000L);
        EngineStep decode = d.step();
        assertThat(decode.batchedTokens()).isEqualTo(1);
        assertThat(decode.durationNanos()).isEqualTo(11_110_010L);
        Driver.Trace t = d.traces.get("a");
        assertThat(t.tokenTimes).containsExactly(1_003_102_000L, 1_003_102_000L + 11_110_010L);
        assertThat(d.engine.idle()).isTrue();
    }

    @Test
    void twoDecodersShareOneWeightRead() {
        Driver d = new Driver(ToyProfile.config(16, 1000));
        d.submit("a", Driver.tokens(1, 100), 3);
        d.submit("b", Driver.tokens(5000, 100), 3);
        d.step(); // both prompts in one step
        EngineStep decode = d.step();
        assertThat(decode.batchedTokens()).isEqualTo(2);
        // memory = (1e9 + 2 × 101 × 1000) / 1e11 = 10.00202 ms
        // beats compute = (2e9 + 2 × 101 × 4000) / 1e12 ≈ 2 ms
        assertThat(decode.durationNanos()).isEqualTo(1_000_000L + 200_000L + 10_002_020L);
    }
}
