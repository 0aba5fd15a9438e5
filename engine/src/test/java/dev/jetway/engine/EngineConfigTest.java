package dev.jetway.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EngineConfigTest {

    @Test
    void profilesAreFoundByNameAndUnknownNamesListTheKnownOnes() {
        assertThat(EngineProfiles.names())
                .containsExactly("qwen3-32b-h100-tp2", "llama-3.1-8b-h100", "llama-3.1-70b-h100-tp4",
                        "qwen3-32b-a100-tp2", "gpt-oss-120b-h200-tp1", "gpt-oss-120b-h200-tp4",
                        "llama-cpp-small-1t");
        assertThat(EngineProfiles.byName("llama-3.1-8b-h100").tensorParallel()).isEqualTo(1);
        assertThatThrownBy(() -> EngineProfiles.byName("gpt-5"))
                .hasMessageContaining("unknown engine profile 'gpt-5'")
                .hasMessageContaining("qwen3-32b-h100-tp2");
    }

    @Test
    void defaultsAreVllmsAndOverridesApply() {
        EngineConfig c = EngineConfig.defaults("qwen3-32b-h100-tp2");
        assertThat(c.blockSize()).isEqualTo(16);
        assertThat(c.maxNumBatchedTokens()).isEqualTo(8192);
        assertThat(c.maxNumSeqs()).isEqualTo(256);
        assertThat(c.effectiveMaxModelLen()).isEqualTo(40_960);
        assertThat(c.withMaxModelLen(4096).effectiveMaxModelLen()).isEqualTo(4096);
        assertThat(c.withKvCapacityTokens(1000).withBlockSize(64).numGpuBlocks()).isEqualTo(15);
    }

    @Test
    void nonsenseIsRejected() {
        EngineConfig c = EngineConfig.defaults("qwen3-32b-h100-tp2");
        assertThatThrownBy(() -> c.withBlockSize(0)).hasMessageContaining("blockSize");
        assertThatThrownBy(() -> c.withMaxNumSeqs(0)).hasMessageContaining("maxNumSeqs");
        assertThatThrownBy(() -> c.withKvCapacityTokens(10).withBlockSize(16)).hasMessageContaining("holds no block");
        assertThatThrownBy(() -> c.withTransferEndpoint("e", "h", 70_000)).hasMessageContaining("port");
    }
}
