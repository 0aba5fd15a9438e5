package dev.jetway.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.engine.EngineConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterLayoutTest {

    private static final EngineConfig H100 = EngineConfig.defaults("qwen3-32b-h100-tp2").withBlockSize(64);
    private static final EngineConfig A100 = EngineConfig.defaults("qwen3-32b-a100-tp2").withBlockSize(64);

    @Test
    void replicasAreNumberedGroupByGroup() {
        ClusterLayout c = new ClusterLayout(List.of(new ClusterLayout.Group(2, H100), new ClusterLayout.Group(3, A100)));
        assertThat(c.replicas()).isEqualTo(5);
        assertThat(c.engine(1)).isEqualTo(H100);
        assertThat(c.engine(2)).isEqualTo(A100);
        assertThat(c.engine(4)).isEqualTo(A100);
        assertThatThrownBy(() -> c.engine(5)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(c.profiles()).containsExactly("qwen3-32b-h100-tp2", "qwen3-32b-h100-tp2", "qwen3-32b-a100-tp2",
                "qwen3-32b-a100-tp2", "qwen3-32b-a100-tp2");
        assertThat(c.describe()).isEqualTo("qwen3-32b-h100-tp2:2,qwen3-32b-a100-tp2:3");
        assertThat(c.gpus()).isEqualTo(10);
        assertThat(c.blockSize()).isEqualTo(64);
        assertThat(ClusterLayout.uniform(4, H100).describe()).isEqualTo("qwen3-32b-h100-tp2:4");
    }

    @Test
    void replicasMustShareTheBlockSizeAndTheModel() {
        assertThatThrownBy(() -> new ClusterLayout(List.of(new ClusterLayout.Group(1, H100),
                new ClusterLayout.Group(1, A100.withBlockSize(16)))))
                .hasMessageContaining("same KV block size").hasMessageContaining("group 1 (qwen3-32b-a100-tp2) has 16");
        assertThatThrownBy(() -> new ClusterLayout(List.of(new ClusterLayout.Group(1, H100),
                new ClusterLayout.Group(1, EngineConfig.defaults("llama-3.1-8b-h100").withBlockSize(64)))))
                .hasMessageContaining("same model");
        assertThatThrownBy(() -> new ClusterLayout(List.of())).hasMessageContaining("at least one");
        assertThatThrownBy(() -> new ClusterLayout.Group(0, H100)).hasMessageContaining("at least one replica");
    }

    @Test
    void aPdPoolHasPrefillThenDecodeReplicasWithTheirOwnEngines() {
        EngineConfig tp1 = EngineConfig.defaults("gpt-oss-120b-h200-tp1").withBlockSize(128);
        EngineConfig tp4 = EngineConfig.defaults("gpt-oss-120b-h200-tp4").withBlockSize(128);
        ClusterLayout pd = ClusterLayout.pd(8, tp1, 2, tp4);
        assertThat(pd.disaggregated()).isTrue();
        assertThat(pd.label()).isEqualTo("8P2D");
        assertThat(pd.replicas()).isEqualTo(10);
        assertThat(pd.gpus()).isEqualTo(16);
        assertThat(pd.role(7)).isEqualTo(ReplicaRole.PREFILL);
        assertThat(pd.role(8)).isEqualTo(ReplicaRole.DECODE);
        assertThat(pd.engine(9)).isEqualTo(tp4);
        assertThat(pd.replicas(ReplicaRole.PREFILL)).isEqualTo(8);
        ClusterLayout aggregated = ClusterLayout.uniform(16, tp1);
        assertThat(aggregated.disaggregated()).isFalse();
        assertThat(aggregated.label()).isEqualTo("16");
        assertThat(aggregated.role(0)).isEqualTo(ReplicaRole.BOTH);
        assertThat(ReplicaRole.DECODE.label()).isEqualTo("decode");
        // the pools of a split still share the model and the block size
        assertThatThrownBy(() -> ClusterLayout.pd(1, tp1, 1, tp4.withBlockSize(16))).hasMessageContaining("block size");
        assertThatThrownBy(() -> ClusterLayout.pd(1, tp1, 1, H100)).hasMessageContaining("same model");
        assertThatThrownBy(() -> new ClusterLayout(List.of(new ClusterLayout.Group(2, tp1, ReplicaRole.PREFILL))))
                .hasMessageContaining("needs decode replicas");
    }
}
