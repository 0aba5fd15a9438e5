package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ReportedPathTest {

    private static final Path REPO = Path.of("/home/someone/jetway");

    @Test
    void aReportNamesTheWorkloadWithoutTheMachinesPath() {
        assertThat(ReportedPath.of(Path.of("docs/workloads/llm-d-57x.yaml"), REPO))
                .isEqualTo("docs/workloads/llm-d-57x.yaml");
        assertThat(ReportedPath.of(Path.of("./docs/../docs/workloads/mixed.yaml"), REPO))
                .isEqualTo("docs/workloads/mixed.yaml");
        assertThat(ReportedPath.of(REPO.resolve("docs/workloads/llm-d-57x.yaml"), REPO))
                .isEqualTo("docs/workloads/llm-d-57x.yaml");
        assertThat(ReportedPath.of(Path.of("/tmp/tmp.0Yp8wx/two-loads.yaml"), REPO)).isEqualTo("two-loads.yaml");
        assertThat(ReportedPath.of(Path.of("/work/shared/workloads/llm-d-57x.yaml"), REPO))
                .isEqualTo("llm-d-57x.yaml");
    }
}
