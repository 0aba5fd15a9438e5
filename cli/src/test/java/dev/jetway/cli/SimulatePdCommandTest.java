package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jetway simulate --pd}: split pools beside their aggregated baseline, and the errors of its flags. */
class SimulatePdCommandTest {

    private static final String GUIDE = "../docs/workloads/pd-llmd-guide.yaml";

    @TempDir
    Path dir;

    private Path workload(String cluster) throws Exception {
        Path f = dir.resolve("w.yaml");
        Files.writeString(f, "load: {type: constant, stages: [{rate: 8, duration: 2}]}\n"
                + "api: {type: completion, streaming: true}\n"
                + "server: {model_name: m, ignore_eos: true}\n"
                + "data: {type: random, input_len: 1500, output_len: 20, seed: 3}\n"
                + (cluster == null ? "" : "cluster: " + cluster + "\n"));
        return f;
    }

    @Test
    void simulatesEachSplitAndTheAggregatedPoolOfAsManyGpus() throws Exception {
        Path w = workload("{profile: llama-3.1-8b-h100, blockSize: 16}");
        Path json = dir.resolve("pd.json");
        CliRun r = CliRun.of("simulate", w.toString(), "--pd", "1P1D,1P2D", "--policies", GUIDE,
                "--baseline", "round-robin", "--json", json.toString(), "--html", dir.resolve("pd.html").toString(),
                "--gpu-hour-cost", "2", "--no-progress");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        JsonNode policies = root.path("policies");
        assertThat(policies).hasSize(4);
        assertThat(policies.get(0).path("policy").asText()).isEqualTo("pd-llmd-guide@1P1D");
        assertThat(policies.get(1).path("policy").asText()).isEqualTo("pd-llmd-guide@1P2D");
        assertThat(policies.get(2).path("policy").asText()).isEqualTo("round-robin@2");
        assertThat(policies.get(3).path("policy").asText()).isEqualTo("round-robin@3");
        JsonNode split = policies.get(0).path("pool");
        assertThat(split.path("gpus").asInt()).isEqualTo(2);
        assertThat(split.path("groups").get(0).path("role").asText()).isEqualTo("prefill");
        assertThat(split.path("pd").path("decisions").path("prefill-decode").asInt()).isEqualTo(16);
        assertThat(policies.get(2).path("pool").path("pd").isNull()).isTrue();
        assertThat(policies.get(2).path("pool").path("groups").get(0).path("role").asText()).isEqualTo("both");
        assertThat(policies.get(0).path("summary").path("success_rate").asDouble()).isEqualTo(1.0);
        assertThat(root.path("settings").path("pools")).hasSize(4);
        assertThat(root.path("settings").path("baseline_policies").get(0).asText()).isEqualTo("round-robin");
        assertThat(r.out()).contains("### P/D split vs aggregated", "| pd-llmd-guide@1P2D | 1 × llama-3.1-8b-h100 "
                + "prefill + 2 × llama-3.1-8b-h100 decode | 3 |");
        assertThat(r.err()).contains("1P1D = 1 x llama-3.1-8b-h100 (prefill) + 1 x llama-3.1-8b-h100 (decode), 2 GPUs",
                "baseline policies on 2 = 2 x llama-3.1-8b-h100, 2 GPUs");
        assertThat(Files.readString(dir.resolve("pd.html"))).contains("P/D split vs aggregated", "data:image/png");

        // the same from the workload's cluster.pd, profiles per pool
        Path fromFile = workload("{profile: llama-3.1-8b-h100, blockSize: 16, pd: {split: 1P1D, "
                + "decodeProfile: llama-3.1-8b-h100}}");
        CliRun file = CliRun.of("simulate", fromFile.toString(), "--policies", GUIDE, "--json", json.toString(),
                "--no-progress");
        assertThat(file.exitCode()).as(file.err()).isZero();
        assertThat(new ObjectMapper().readTree(json.toFile()).path("policies").get(0).path("policy").asText())
                .isEqualTo("pd-llmd-guide@1P1D");
    }

    @Test
    void badFlagsAreRefusedWithWhatToDoInstead() throws Exception {
        Path w = workload("{profile: llama-3.1-8b-h100}");
        CliRun malformed = CliRun.of("simulate", w.toString(), "--pd", "8X2D", "--policies", GUIDE, "--no-progress");
        assertThat(malformed.exitCode()).isEqualTo(1);
        assertThat(malformed.err()).contains("--pd: '8X2D' is not a P/D split; write xPyD, e.g. 8P2D");
        CliRun zero = CliRun.of("simulate", w.toString(), "--pd", "0P2D", "--policies", GUIDE, "--no-progress");
        assertThat(zero.exitCode()).isEqualTo(1);
        assertThat(zero.err()).contains("at least one prefill and one decode replica");
        CliRun plainPolicy = CliRun.of("simulate", w.toString(), "--pd", "1P1D", "--policies", "round-robin",
                "--no-progress");
        assertThat(plainPolicy.exitCode()).isEqualTo(1);
        assertThat(plainPolicy.err()).contains("policy 'round-robin' has no disagg-profile-handler",
                "--baseline round-robin");
        CliRun noPd = CliRun.of("simulate", w.toString(), "--baseline", "round-robin", "--no-progress");
        assertThat(noPd.exitCode()).isEqualTo(2);
        assertThat(noPd.err()).contains("apply to P/D runs");
        CliRun unknown = CliRun.of("simulate", w.toString(), "--pd", "1P1D", "--decode-profile", "tpu-v7",
                "--policies", GUIDE, "--no-progress");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("--decode-profile: unknown engine profile 'tpu-v7'");
        CliRun otherModel = CliRun.of("simulate", w.toString(), "--pd", "1P1D", "--decode-profile",
                "qwen3-32b-h100-tp2", "--policies", GUIDE, "--no-progress");
        assertThat(otherModel.exitCode()).isEqualTo(1);
        assertThat(otherModel.err()).contains("same model");
        CliRun groups = CliRun.of("simulate", w.toString(), "--pd", "1P1D", "--profile",
                "llama-3.1-8b-h100:1,llama-3.1-8b-h100:1", "--policies", GUIDE, "--no-progress");
        assertThat(groups.exitCode()).isEqualTo(1);
        assertThat(groups.err()).contains("does not mix with --pd");
        CliRun uneven = CliRun.of("simulate", w.toString(), "--pd", "1P1D", "--prefill-profile", "qwen3-32b-h100-tp2",
                "--decode-profile", "qwen3-32b-h100-tp2", "--profile", "qwen3-32b-h100-tp2", "--policies", GUIDE,
                "--baseline", "round-robin", "--no-progress", "--max-requests", "2");
        assertThat(uneven.exitCode()).as(uneven.err()).isZero();
        CliRun mismatch = CliRun.of("simulate", w.toString(), "--pd", "1P2D", "--prefill-profile", "qwen3-32b-h100-tp2",
                "--decode-profile", "qwen3-32b-h100-tp2", "--profile", "qwen3-32b-a100-tp2", "--policies", GUIDE,
                "--baseline", "round-robin", "--no-progress", "--max-requests", "2");
        assertThat(mismatch.exitCode()).as(mismatch.err()).isZero(); // 6 GPUs = 3 replicas of 2
        CliRun indivisible = CliRun.of("simulate", w.toString(), "--pd", "1P2D", "--prefill-profile",
                "llama-3.1-8b-h100", "--decode-profile", "llama-3.1-8b-h100", "--profile", "llama-3.1-70b-h100-tp4",
                "--policies", GUIDE, "--baseline", "round-robin", "--no-progress");
        assertThat(indivisible.exitCode()).isEqualTo(1);
        assertThat(indivisible.err()).contains("the split 1P2D has 3 GPUs", "give the baseline's --replicas");
    }
}
