package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchAndSimulateCommandTest {

    @TempDir
    Path dir;

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
        CliRun r = CliRun.of("simulate", w.toString(), "--policies", "approximate,random",
                "--json", dir.resolve("r.json").toString(), "--markdown", dir.resolve("r.md").toString(),
                "--html", dir.resolve("r.html").toString(), "--no-progress", "--slo-ttft", "1", "--gpu-hour-cost", "2.5");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(dir.resolve("r.json").toFile());
        assertThat(json.path("tool").asText()).isEqualTo("simulate");
        assertThat(json.path("settings").path("replicas").asInt()).isEqualTo(2);
        // an absolute path outside the working directory: the report names the file, not the machine's path
        assertThat(json.path("settings").path("workload_file").asText()).isEqualTo("w.yaml");
        assertThat(json.path("policies")).hasSize(2);
        JsonNode approximate = json.path("policies").get(0).path("summary");
        assertThat(approximate.path("success_rate").asDouble()).isEqualTo(1.0);
        assertThat(approximate.path("ttft_p90_s").asDouble()).isPositive();
        assertThat(approximate.path("output_tokens_per_dollar").asDouble()).isPositive();
        assertThat(json.path("policies").get(0).path("stages")).hasSize(2);
        assertThat(Files.readString(dir.resolve("r.md"))).contains("| approximate |", "| random |");
        assertThat(Files.readString(dir.resolve("r.html"))).contains("data:image/png;base64,");
        assertThat(r.out()).contains("| approximate |");
    }

    @Test
    void simulateDrainsStagesAndLeavesWarmupStagesOutOfTheSummary() throws Exception {
        Path w = workload("{type: constant, stages: [{rate: 4, duration: 2}, {rate: 4, duration: 2}]}",
                "{num_groups: 2, num_prompts_per_group: 2, system_prompt_len: 300, question_len: 30, output_len: 20}",
                "{replicas: 1, profile: llama-3.1-8b-h100}");
        Path json = dir.resolve("drain.json");
        CliRun r = CliRun.of("simulate", w.toString(), "--policies", "round-robin", "--warmup-stages", "1", "--json",
                json.toString(), "--no-progress");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.path("settings").path("stages_drain").asBoolean()).isTrue();
        JsonNode policy = root.path("policies").get(0);
        JsonNode warm = policy.path("stages").get(0);
        JsonNode measured = policy.path("stages").get(1);
        assertThat(warm.path("warmup").asBoolean()).isTrue();
        assertThat(policy.path("summary").path("requests").asInt()).isEqualTo(8);
        // The second stage starts after the first has drained, plus 1 s interval and 1 s lead.
        assertThat(measured.path("start_s").asDouble())
                .isGreaterThanOrEqualTo(warm.path("start_s").asDouble() + warm.path("duration_s").asDouble() + 2.0 - 1e-9);
        assertThat(policy.path("summary").path("stage_mean_output_tokens_per_s").asDouble())
                .isEqualTo(measured.path("output_tokens_per_s").asDouble());
        CliRun allWarmup = CliRun.of("simulate", w.toString(), "--warmup-stages", "2", "--no-progress");
        assertThat(allWarmup.exitCode()).isEqualTo(2);
        assertThat(allWarmup.err()).contains("--warmup-stages");
    }

    @Test
    void simulateCountsTheRequestPathInTtftAndFailsRequestsPastTheirTimeout() throws Exception {
        Path w = workload("{type: constant, stages: [{rate: 2, duration: 2}], request_timeout: 600}",
                "{num_groups: 2, num_prompts_per_group: 2, system_prompt_len: 300, question_len: 30, output_len: 20}",
                "{replicas: 1, profile: llama-3.1-8b-h100}");
        Path direct = dir.resolve("direct.json");
        Path path = dir.resolve("path.json");
        CliRun directRun = CliRun.of("simulate", w.toString(), "--policies", "round-robin", "--json", direct.toString(),
                "--no-progress");
        assertThat(directRun.exitCode()).as(directRun.err()).isZero();
        CliRun pathRun = CliRun.of("simulate", w.toString(), "--policies", "round-robin", "--json", path.toString(),
                "--gateway-latency-ms", "40", "--server-latency-ms", "60", "--no-progress");
        assertThat(pathRun.exitCode()).as(pathRun.err()).isZero();
        ObjectMapper mapper = new ObjectMapper();
        JsonNode a = mapper.readTree(direct.toFile());
        JsonNode b = mapper.readTree(path.toFile());
        assertThat(b.path("settings").path("server_latency_ms").asDouble()).isEqualTo(60.0);
        assertThat(b.path("settings").path("request_timeout_s").asDouble()).isEqualTo(600.0);
        double ttft = a.path("policies").get(0).path("summary").path("ttft_p50_s").asDouble();
        assertThat(b.path("policies").get(0).path("summary").path("ttft_p50_s").asDouble())
                .isBetween(ttft + 0.099, ttft + 0.101);
        assertThat(b.path("policies").get(0).path("across_stages").path("ttft_p90_s").isNumber()).isTrue();

        // 20 output tokens take far longer than 10 ms: every request times out, none counts as throughput.
        Path late = dir.resolve("late.json");
        CliRun lateRun = CliRun.of("simulate", w.toString(), "--policies", "round-robin", "--timeout", "0.01", "--json",
                late.toString(), "--no-progress");
        assertThat(lateRun.exitCode()).as(lateRun.err()).isZero();
        JsonNode summary = mapper.readTree(late.toFile()).path("policies").get(0).path("summary");
        assertThat(summary.path("failed").asInt()).isEqualTo(4);
        assertThat(summary.path("errors").path("timeout").asInt()).isEqualTo(4);
        assertThat(summary.path("output_tokens_per_s").asDouble()).isZero();

        // One request in flight at a time: all four still complete, each waiting for the one before.
        Path capped = dir.resolve("capped.json");
        CliRun cappedRun = CliRun.of("simulate", w.toString(), "--policies", "round-robin", "--max-concurrency", "1",
                "--json", capped.toString(), "--no-progress");
        assertThat(cappedRun.exitCode()).as(cappedRun.err()).isZero();
        JsonNode c = mapper.readTree(capped.toFile());
        assertThat(c.path("settings").path("max_concurrency").asInt()).isEqualTo(1);
        assertThat(c.path("policies").get(0).path("summary").path("completed").asInt()).isEqualTo(4);
        assertThat(c.path("policies").get(0).path("replicas").get(0).path("running_mean").asDouble())
                .isLessThanOrEqualTo(1.0);

        CliRun negative = CliRun.of("simulate", w.toString(), "--server-latency-ms", "-1", "--no-progress");
        assertThat(negative.exitCode()).isEqualTo(2);
        assertThat(negative.err()).contains("--server-latency-ms");
    }

    @Test
    void simulateComparesClusterSizesInOneRun() throws Exception {
        Path w = workload("{type: constant, stages: [{rate: 4, duration: 3}]}",
                "{num_groups: 3, num_prompts_per_group: 2, system_prompt_len: 300, question_len: 30, output_len: 5}",
                "{profile: llama-3.1-8b-h100}");
        Path json = dir.resolve("sizes.json");
        CliRun r = CliRun.of("simulate", w.toString(), "--policies", "load", "--replicas", "1,3", "--json",
                json.toString(), "--no-progress");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.path("policies").get(0).path("policy").asText()).isEqualTo("load@1");
        assertThat(root.path("policies").get(1).path("policy").asText()).isEqualTo("load@3");
        assertThat(root.path("policies").get(0).path("replicas")).hasSize(1);
        assertThat(root.path("policies").get(1).path("replicas")).hasSize(3);
        assertThat(root.path("policies").get(1).path("summary").path("completed").asInt()).isEqualTo(12);
    }

    @Test
    void simulateGivesEachReplicaOfAHeterogeneousPoolItsProfile() throws Exception {
        Path w = workload("{type: constant, stages: [{rate: 4, duration: 2}]}",
                "{num_groups: 2, num_prompts_per_group: 2, system_prompt_len: 300, question_len: 30, output_len: 5}",
                "{blockSize: 64, groups: [{replicas: 1, profile: qwen3-32b-h100-tp2}, {replicas: 2, profile: qwen3-32b-a100-tp2}]}");
        Path json = dir.resolve("het.json");
        CliRun fromFile = CliRun.of("simulate", w.toString(), "--policies", "round-robin", "--json", json.toString(),
                "--no-progress", "--gpu-hour-cost", "1");
        assertThat(fromFile.exitCode()).as(fromFile.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.path("settings").path("profile").asText()).isEqualTo("qwen3-32b-h100-tp2:1,qwen3-32b-a100-tp2:2");
        assertThat(root.path("settings").path("replicas").asInt()).isEqualTo(3);
        assertThat(root.path("settings").path("groups")).hasSize(2);
        JsonNode replicas = root.path("policies").get(0).path("replicas");
        assertThat(replicas).hasSize(3);
        assertThat(replicas.get(0).path("profile").asText()).isEqualTo("qwen3-32b-h100-tp2");
        assertThat(replicas.get(2).path("profile").asText()).isEqualTo("qwen3-32b-a100-tp2");
        assertThat(fromFile.out()).contains("### Per replica profile", "| round-robin | qwen3-32b-a100-tp2 | 2 |");
        assertThat(fromFile.err()).contains("1 x qwen3-32b-h100-tp2", "2 x qwen3-32b-a100-tp2");

        // the flag replaces the file's pool
        CliRun flag = CliRun.of("simulate", w.toString(), "--policies", "round-robin", "--json", json.toString(),
                "--no-progress", "--profile", "qwen3-32b-a100-tp2:2,qwen3-32b-h100-tp2:2");
        assertThat(flag.exitCode()).as(flag.err()).isZero();
        assertThat(new ObjectMapper().readTree(json.toFile()).path("settings").path("replicas").asInt()).isEqualTo(4);

        CliRun both = CliRun.of("simulate", w.toString(), "--replicas", "4", "--no-progress");
        assertThat(both.exitCode()).isEqualTo(1);
        assertThat(both.err()).contains("--replicas does not apply to a cluster of groups (cluster.groups)");
        CliRun unknown = CliRun.of("simulate", w.toString(), "--profile", "qwen3-32b-h100-tp2:1,tpu:1", "--no-progress");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("--profile tpu: unknown engine profile 'tpu'");
        CliRun malformed = CliRun.of("simulate", w.toString(), "--profile", "qwen3-32b-h100-tp2,qwen3-32b-a100-tp2",
                "--no-progress");
        assertThat(malformed.exitCode()).isEqualTo(1);
        assertThat(malformed.err()).contains("PROFILE:REPLICAS");
        CliRun mixedModels = CliRun.of("simulate", w.toString(), "--profile", "qwen3-32b-h100-tp2:1,llama-3.1-8b-h100:1",
                "--no-progress");
        assertThat(mixedModels.exitCode()).isEqualTo(1);
        assertThat(mixedModels.err()).contains("same model");
    }

    @Test
    void simulateRejectsAnUnknownPolicyWithTheKnownOnes() throws Exception {
        Path w = workload("{stages: [{rate: 1, duration: 1}]}", "{num_groups: 1}", null);
        CliRun unknown = CliRun.of("simulate", w.toString(), "--policies", "fastest", "--no-progress");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("unknown policy 'fastest'", "approximate");
        CliRun missing = CliRun.of("simulate", dir.resolve("nope.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("not found");
    }

    @Test
    void benchWithAWrongModelSaysWhyEveryRequestFailedInEveryFormat() throws Exception {
        try (SimCluster sim = SimCluster.start(SimOptions.defaults("m").withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100"), 1)) {
            Path w = workload("{type: constant, stages: [{rate: 10, duration: 0.5}]}",
                    "{num_groups: 1, num_prompts_per_group: 2, system_prompt_len: 10, question_len: 5, output_len: 2}",
                    null);
            Path md = dir.resolve("wrong.md");
            Path html = dir.resolve("wrong.html");
            CliRun r = CliRun.of("bench", w.toString(), "--url", sim.replicas().getFirst().baseUrl(), "--model",
                    "not-served", "--no-progress", "--markdown", md.toString(), "--html", html.toString());
            assertThat(r.exitCode()).isEqualTo(1); // nothing completed
            assertThat(r.out()).contains("Failed requests", "404", "not-served");
            assertThat(Files.readString(md)).contains("Failed requests", "not-served");
            assertThat(Files.readString(html)).contains("Failed requests", "not-served");
        }
    }

    @Test
    void benchAgainstAnInProcessSimReplicaMeasuresEveryRequestAndItsPrefixHits() throws Exception {
        try (SimCluster sim = SimCluster.start(SimOptions.defaults("m").withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100"), 1)) {
            Path w = workload("{type: constant, stages: [{rate: 10, duration: 1}]}",
                    "{num_groups: 2, num_prompts_per_group: 3, system_prompt_len: 400, question_len: 30, output_len: 6}",
                    null);
            Path json = dir.resolve("live.json");
            String url = sim.replicas().getFirst().baseUrl();
            CliRun r = CliRun.of("bench", w.toString(), "--url", url, "--json", json.toString(),
                    "--no-progress", "--label", "sim", "--scrape-metrics", url, "--scrape-interval-ms", "50");
            assertThat(r.exitCode()).as(r.err()).isZero();
            JsonNode policy = new ObjectMapper().readTree(json.toFile()).path("policies").get(0);
            JsonNode summary = policy.path("summary");
            // The replica's /metrics was polled during the run.
            assertThat(policy.path("replicas").get(0).path("kv_usage_mean").isNumber()).isTrue();
            assertThat(summary.path("requests").asInt()).isEqualTo(10);
            assertThat(summary.path("completed").asInt()).isEqualTo(10);
            assertThat(summary.path("ttft_p50_s").asDouble()).isPositive();
            assertThat(summary.path("itl_mean_s").asDouble()).isPositive();
            // One replica: all but the first prompt of each group reuse its 400-token system prompt.
            assertThat(summary.path("prefix_hit_rate").asDouble()).isGreaterThan(0.5);
        }
    }

    @Test
    void simulateWhoseReportCannotBeWrittenKeepsTheTableAndTheOtherReports() throws Exception {
        Path w = workload("{type: constant, stages: [{rate: 4, duration: 1}]}",
                "{num_groups: 1, num_prompts_per_group: 2, system_prompt_len: 50, question_len: 5, output_len: 2}",
                "{replicas: 1, profile: llama-3.1-8b-h100}");
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Path html = file.resolve("r.html"); // through a regular file, as `--html /etc/passwd/r.html`
        Path json = dir.resolve("r.json");
        CliRun r = CliRun.of("simulate", w.toString(), "--policies", "round-robin", "--no-progress",
                "--html", html.toString(), "--json", json.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("| round-robin |");
        assertThat(json).isNotEmptyFile();
        assertThat(r.err()).contains("jetway simulate: cannot write " + html + ": " + file + " is not a directory")
                .doesNotContain("Exception", "\tat ");
    }

    @Test
    void benchWhoseReportsCannotBeWrittenPrintsTheTableAndOneLinePerFile() throws Exception {
        try (SimCluster sim = SimCluster.start(SimOptions.defaults("m").withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100"), 1)) {
            Path w = workload("{type: constant, stages: [{rate: 10, duration: 0.3}]}",
                    "{num_groups: 1, num_prompts_per_group: 3, system_prompt_len: 20, question_len: 5, output_len: 2}",
                    null);
            Path file = Files.writeString(dir.resolve("a-file"), "x");
            Path html = file.resolve("r.html");
            Path markdown = file.resolve("r.md");
            Path json = dir.resolve("ok.json");
            CliRun r = CliRun.of("bench", w.toString(), "--url", sim.replicas().getFirst().baseUrl(), "--no-progress",
                    "--html", html.toString(), "--markdown", markdown.toString(), "--json", json.toString());
            assertThat(r.exitCode()).isEqualTo(1); // every request completed, but two files asked for are missing
            assertThat(r.out()).contains("| " + sim.replicas().getFirst().baseUrl());
            assertThat(json).isNotEmptyFile();
            assertThat(r.err().lines().filter(l -> l.startsWith("jetway bench: cannot write ")))
                    .containsExactly("jetway bench: cannot write " + markdown + ": " + file + " is not a directory",
                            "jetway bench: cannot write " + html + ": " + file + " is not a directory");
            assertThat(r.err()).doesNotContain("Exception", "\tat ");
        }
    }

    @Test
    void benchNeedsAUrlAndAModel() throws Exception {
        Path w = workload("{stages: [{rate: 1, duration: 1}]}", "{num_groups: 1}", null);
        CliRun r = CliRun.of("bench", w.toString(), "--model", "m");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("needs --url");
    }
}
