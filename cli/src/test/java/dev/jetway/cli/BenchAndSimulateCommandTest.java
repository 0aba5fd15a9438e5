package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchAndSimulateCommandTest {

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

    private Path workload(String load, String sharedPrefix, String cluster) throws Exception {
        Path f = dir.resolve("w.yaml");
        Files.writeString(f, "load: " + load + "\n"
                + "api: {type: completion, streaming: true}\n"
                + "server: {model_name: m, ignore_eos: true}\n"
                + "data: {type: shared_prefix, shared_prefix: " + sharedPrefix + "}\n"
                + (cluster == null ? "" : "cluster: " + cluster + "\n"));
        return f;
    }

    @Test
    void simulateWritesAllThreeReportsForEveryPolicy() throws Exception {
        Path w = workload("{type: poisson, stages: [{rate: 3, duration: 4}, {rate: 6, duration: 4}]}",
                "{num_groups: 4, num_prompts_per_group: 3, system_prompt_len: 600, question_len: 60, output_len: 8}",
                "{replicas: 2, profile: llama-3.1-8b-h100, blockSize: 16}");
        int code = run("simulate", w.toString(), "--policies", "approximate,random", "--json", dir.resolve("r.json").toString(),
                "--markdown", dir.resolve("r.md").toString(), "--html", dir.resolve("r.html").toString(), "--no-progress",
                "--slo-ttft", "1", "--gpu-hour-cost", "2.5");
        assertThat(code).as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(dir.resolve("r.json").toFile());
        assertThat(json.path("tool").asText()).isEqualTo("simulate");
        assertThat(json.path("settings").path("replicas").asInt()).isEqualTo(2);
        assertThat(json.path("policies")).hasSize(2);
        JsonNode approximate = json.path("policies").get(0).path("summary");
        assertThat(approximate.path("success_rate").asDouble()).isEqualTo(1.0);
        assertThat(approximate.path("ttft_p90_s").asDouble()).isPositive();
        assertThat(approximate.path("output_tokens_per_dollar").asDouble()).isPositive();
        assertThat(json.path("policies").get(0).path("stages")).hasSize(2);
        assertThat(Files.readString(dir.resolve("r.md"))).contains("| approximate |", "| random |");
        assertThat(Files.readString(dir.resolve("r.html"))).contains("data:image/png;base64,");
        assertThat(out.toString()).contains("| approximate |");
    }

    @Test
    void simulateRejectsAnUnknownPolicyWithTheKnownOnes() throws Exception {
        Path w = workload("{stages: [{rate: 1, duration: 1}]}", "{num_groups: 1}", null);
        assertThat(run("simulate", w.toString(), "--policies", "fastest", "--no-progress")).isEqualTo(1);
        assertThat(err.toString()).contains("unknown policy 'fastest'", "approximate");
        assertThat(run("simulate", dir.resolve("nope.yaml").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("not found");
    }

    @Test
    void benchAgainstAnInProcessSimReplicaMeasuresEveryRequestAndItsPrefixHits() throws Exception {
        try (SimCluster sim = SimCluster.start(SimOptions.defaults("m").withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100"), 1)) {
            Path w = workload("{type: constant, stages: [{rate: 10, duration: 1}]}",
                    "{num_groups: 2, num_prompts_per_group: 3, system_prompt_len: 400, question_len: 30, output_len: 6}",
                    null);
            Path json = dir.resolve("live.json");
            int code = run("bench", w.toString(), "--url", sim.replicas().getFirst().baseUrl(), "--json", json.toString(),
                    "--no-progress", "--label", "sim");
            assertThat(code).as(err.toString()).isZero();
            JsonNode summary = new ObjectMapper().readTree(json.toFile()).path("policies").get(0).path("summary");
            assertThat(summary.path("requests").asInt()).isEqualTo(10);
            assertThat(summary.path("completed").asInt()).isEqualTo(10);
            assertThat(summary.path("ttft_p50_s").asDouble()).isPositive();
            assertThat(summary.path("itl_mean_s").asDouble()).isPositive();
            // One replica: all but the first prompt of each group reuse its 400-token system prompt.
            assertThat(summary.path("prefix_hit_rate").asDouble()).isGreaterThan(0.5);
        }
    }

    @Test
    void benchNeedsAUrlAndAModel() throws Exception {
        Path w = workload("{stages: [{rate: 1, duration: 1}]}", "{num_groups: 1}", null);
        assertThat(run("bench", w.toString(), "--model", "m")).isEqualTo(2);
        assertThat(err.toString()).contains("needs --url");
    }
}
