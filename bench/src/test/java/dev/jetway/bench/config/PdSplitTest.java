package dev.jetway.bench.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PdSplitTest {

    @TempDir
    Path dir;

    @Test
    void parsesXpYdAndSaysWhatIsWrongOtherwise() {
        assertThat(PdSplit.parse("8P2D", "--pd")).isEqualTo(new PdSplit(8, 2));
        assertThat(PdSplit.parse(" 4p4d ", "--pd").toString()).isEqualTo("4P4D");
        assertThat(PdSplit.parseList(List.of("2P6D", "6P2D"), "--pd")).containsExactly(new PdSplit(2, 6),
                new PdSplit(6, 2));
        assertThatThrownBy(() -> PdSplit.parse("8P", "--pd")).hasMessage("--pd: '8P' is not a P/D split; write xPyD, "
                + "e.g. 8P2D (x prefill and y decode replicas)");
        assertThatThrownBy(() -> PdSplit.parse("2D8P", "--pd")).hasMessageContaining("not a P/D split");
        assertThatThrownBy(() -> PdSplit.parse("0P2D", "--pd")).hasMessageContaining("at least one prefill and one "
                + "decode replica");
        assertThatThrownBy(() -> PdSplit.parse("99999999999P1D", "--pd")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> PdSplit.parseList(List.of("2P2D", "2p2d"), "--pd")).hasMessageContaining("twice");
    }

    @Test
    void theWorkloadsClusterPdSectionNamesTheSplitsAndProfiles() throws Exception {
        ClusterSpec c = BenchConfigLoader.load(Path.of("../docs/workloads/pd-guide-45qps.yaml")).cluster();
        assertThat(c.pd().splits()).containsExactly(new PdSplit(8, 2));
        assertThat(c.pd().prefillProfile()).isEqualTo("gpt-oss-120b-h200-tp1");
        assertThat(c.pd().decodeProfile()).isEqualTo("gpt-oss-120b-h200-tp4");
        assertThat(c.blockSize()).isEqualTo(128);

        assertThat(load("{pd: {split: [2P6D, 4P4D]}}").pd().splits()).hasSize(2);
        assertThat(load("{pd: {split: 2P6D}}").pd().prefillProfile()).isNull();
        assertThatThrownBy(() -> load("{pd: {split: 2X6D}}")).hasMessageContaining("cluster.pd.split: '2X6D'");
        assertThatThrownBy(() -> load("{pd: {prefillProfile: a}}")).hasMessageContaining("cluster.pd.split: missing");
        assertThatThrownBy(() -> load("{pd: {split: 1P1D, ratio: 3}}")).hasMessageContaining("ratio");
        assertThatThrownBy(() -> load("{pd: 8P2D}")).hasMessageContaining("cluster.pd: expected");
        assertThatThrownBy(() -> load("{pd: {split: 1P1D}, groups: [{replicas: 1, profile: a}]}"))
                .hasMessageContaining("leave cluster.groups out");
        assertThat(load("{replicas: 2}").pd()).isNull();
    }

    private ClusterSpec load(String cluster) throws Exception {
        Path f = dir.resolve("w.yaml");
        Files.writeString(f, "load: {stages: [{rate: 1, duration: 1}]}\napi: {type: completion}\n"
                + "server: {model_name: m}\ndata: {type: random, input_len: 10, output_len: 2}\ncluster: " + cluster + "\n");
        return BenchConfigLoader.load(f).cluster();
    }
}
