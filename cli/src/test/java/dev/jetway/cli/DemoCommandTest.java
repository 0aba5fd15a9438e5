package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void comparesBothPoliciesOverRealHttpAndWritesTheReportSchema() throws Exception {
        Path json = dir.resolve("demo.json");
        int code = run("demo", "--replicas", "2", "--rate", "8", "--warmup", "1", "--duration", "2", "--groups", "4",
                "--prompts-per-group", "4", "--system-prompt-len", "400", "--question-len", "20", "--output-len", "8",
                "--json", json.toString());

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("round-robin", "jetway", "TTFT p90", "prefix hits");
        JsonNode report = new ObjectMapper().readTree(Files.readString(json));
        assertThat(report.path("policies")).hasSize(2);
        assertThat(report.path("policies").get(0).path("policy").asText()).isEqualTo("round-robin");
        assertThat(report.path("policies").get(1).path("policy").asText()).isEqualTo("jetway");
        for (JsonNode policy : report.path("policies")) {
            JsonNode summary = policy.path("summary");
            for (String field : new String[] {"ttft_p50_s", "ttft_p90_s", "e2e_p90_s", "output_tokens_per_s",
                    "prefix_hit_rate", "success_rate"}) {
                assertThat(summary.has(field)).as(field).isTrue();
            }
            assertThat(summary.path("success_rate").asDouble()).isEqualTo(1.0);
            assertThat(summary.path("output_tokens_per_s").asDouble()).isPositive();
        }
        // Same workload, warm caches: routing by prefix must hit at least as often as round-robin does.
        assertThat(report.path("policies").get(1).path("summary").path("prefix_hit_rate").asDouble())
                .isGreaterThanOrEqualTo(report.path("policies").get(0).path("summary").path("prefix_hit_rate").asDouble());
    }

    @Test
    void rejectsNonsenseSettings() {
        assertThat(run("demo", "--rate", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--rate must be positive");
    }
}
