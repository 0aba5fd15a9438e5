package dev.jetway.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceWorkloadTest {

    @TempDir
    Path dir;

    @Test
    void parsesMooncakeLinesAndSharesExactlyTheCommonHashBlocks() throws Exception {
        Path file = dir.resolve("t.jsonl");
        Files.writeString(file, """
                {"timestamp": 0, "input_length": 1100, "output_length": 6, "hash_ids": [1, 2, 3]}
                {"timestamp": 40, "input_length": 1500, "output_length": 9, "hash_ids": [1, 2, 7]}

                {"timestamp": 1000, "input_length": 700, "output_length": 2, "hash_ids": [9]}
                """);
        List<TraceEntry> entries = TraceWorkload.readMooncake(file);
        assertThat(entries).hasSize(3);
        TraceWorkload w = new TraceWorkload(entries, 0.5, 512);
        WorkloadRequest a = w.request(0);
        WorkloadRequest b = w.request(1);
        WorkloadRequest c = w.request(2);
        assertThat(a.prompt().tokenCount()).isEqualTo(1100);
        assertThat(b.prompt().tokenCount()).isEqualTo(1500);
        assertThat(c.prompt().tokenCount()).isEqualTo(700); // 512 from block 9 + 188 unique
        assertThat(a.maxTokens()).isEqualTo(6);
        assertThat(SharedPrefixWorkloadTest.commonPrefix(a.prompt().tokens(), b.prompt().tokens()))
                .isBetween(1024, 1024 + 2); // blocks 1 and 2; block 3 vs 7 differ (by chance at most a word)
        assertThat(w.arrivalNanos(1)).isEqualTo(20_000_000L); // 40 ms scaled by 0.5
        assertThat(w.arrivalNanos(2)).isEqualTo(500_000_000L);
    }

    @Test
    void badLineIsReportedWithItsNumber() throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, """
                {"timestamp": 0, "input_length": 10, "output_length": 1, "hash_ids": []}
                {"timestamp": 5, "output_length": 1, "hash_ids": []}
                """);
        assertThatThrownBy(() -> TraceWorkload.readMooncake(file))
                .hasMessageContaining("line 2").hasMessageContaining("input_length");
    }

    @Test
    void readsTheSharedMooncakeTrace() {
        // the trace ships in docs/workloads; the test runs from the module directory
        Path shared = Path.of("../docs/workloads/mooncake-synthetic.jsonl");
        List<TraceEntry> entries = TraceWorkload.readMooncake(shared);
        assertThat(entries).hasSize(3993);
        TraceWorkload w = new TraceWorkload(entries, 1.0, 512);
        assertThat(w.request(0).prompt().tokenCount()).isEqualTo(40160);
    }
}
