package dev.jetway.engine.vllm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.engine.Completion.FinishReason;
import dev.jetway.engine.EngineConfig;
import org.junit.jupiter.api.Test;

class SmokeTest {

    @Test
    void oneRequestRunsToCompletion() {
        Driver d = new Driver(EngineConfig.defaults("qwen3-32b-h100-tp2"));
        Driver.Trace t = d.submit("a", Driver.tokens(1, 6000), 10);
        d.runToIdle();
        assertThat(t.completion.reason()).isEqualTo(FinishReason.LENGTH);
        assertThat(t.completion.completionTokens()).isEqualTo(10);
        assertThat(t.tokenTimes).hasSize(10);
        System.out.println("ttft " + t.firstTokenAt() / 1e6 + " ms, itl " + t.meanItlNanos() / 1e6);
        assertThat(d.engine.stats().kvCacheUsage()).isZero();
    }
}
