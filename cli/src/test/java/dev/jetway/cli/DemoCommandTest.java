package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {

    @TempDir
    Path dir;

    @Test
    void comparesBothPoliciesOverRealHttpAndWritesTheReportSchema() throws Exception {
        Path json = dir.resolve("demo.json");
        Path html = dir.resolve("demo.html");
        CliRun r = CliRun.of("demo", "--replicas", "2", "--rate", "8", "--warmup", "1", "--duration", "2", "--groups", "4",
                "--prompts-per-group", "4", "--system-prompt-len", "400", "--question-len", "20", "--output-len", "8",
                "--json", json.toString(), "--html", html.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("round-robin", "jetway", "TTFT p90", "prefix hits");
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
        // each request is counted on the replica the gateway names; the replicas' queues are scraped
        for (JsonNode policy : report.path("policies")) {
            long perReplica = 0;
            for (JsonNode replica : policy.path("replicas")) {
                perReplica += replica.path("requests").asLong();
            }
            // (per-replica counts include the warm-up stage, the summary does not)
            assertThat(perReplica).isGreaterThanOrEqualTo(policy.path("summary").path("completed").asLong());
            assertThat(policy.path("replicas").get(0).path("queue_mean").isNumber()).isTrue();
        }
        assertThat(Files.readString(html)).contains("Jetway demo report", "Requests per replica",
                "Prefix-cache hit rate per replica", "generated at");
        // Same workload, warm caches: routing by prefix must hit at least as often as round-robin does.
        assertThat(report.path("policies").get(1).path("summary").path("prefix_hit_rate").asDouble())
                .isGreaterThanOrEqualTo(report.path("policies").get(0).path("summary").path("prefix_hit_rate").asDouble());
    }

    @Test
    void pdComparesTheSameReplicasAggregatedAndSplit() throws Exception {
        Path json = dir.resolve("demo-pd.json");
        CliRun r = CliRun.of("demo", "--pd", "1P1D", "--profile", "llama-3.1-8b-h100", "--rate", "4", "--warmup", "1",
                "--duration", "2", "--question-len", "600", "--output-len", "8", "--json", json.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("jetway aggregated x2", "jetway-pd 1P1D", "ITL mean", "Split vs aggregated");
        JsonNode report = new ObjectMapper().readTree(Files.readString(json));
        assertThat(report.path("settings").path("pd").asText()).isEqualTo("1P1D");
        for (JsonNode policy : report.path("policies")) {
            assertThat(policy.path("summary").path("success_rate").asDouble()).isEqualTo(1.0);
        }
        CliRun bad = CliRun.of("demo", "--pd", "2X");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--pd: '2X' is not a P/D split");
    }

    @Test
    void rejectsNonsenseSettings() {
        CliRun r = CliRun.of("demo", "--rate", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--rate must be positive");
    }
}
