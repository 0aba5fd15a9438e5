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
}
