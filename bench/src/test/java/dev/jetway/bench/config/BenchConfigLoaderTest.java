package dev.jetway.bench.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.bench.load.ArrivalProcess;
import dev.jetway.bench.load.StageTransition;
import dev.jetway.bench.workload.IntDistribution;
import dev.jetway.bench.workload.RandomWorkload;
import dev.jetway.bench.workload.SharedPrefixWorkload;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void readsTheLlmd57xFile() {
        BenchConfig c = BenchConfigLoader.load(Path.of("src/test/resources/llm-d-57x.yaml"));
        assertThat(c.load().type()).isEqualTo(ArrivalProcess.POISSON);
        assertThat(c.load().stages()).hasSize(17);
        assertThat(c.load().stages().getFirst().rate()).isEqualTo(15);
        assertThat(c.load().totalSeconds()).isEqualTo(502);
        assertThat(c.modelName()).isEqualTo("Qwen/Qwen3-32B");
        assertThat(c.ignoreEos()).isTrue();
        SharedPrefixWorkload w = (SharedPrefixWorkload) c.workload();
        assertThat(w.size()).isEqualTo(750);
        assertThat(w.request(0).prompt().tokenCount()).isEqualTo(7200);
        assertThat(w.request(0).maxTokens()).isEqualTo(1000);
        assertThat(c.cluster().replicas()).isEqualTo(8);
        assertThat(c.cluster().profile()).isEqualTo("qwen3-32b-h100-tp2");
        assertThat(c.cluster().blockSize()).isEqualTo(64);
        assertThat(c.cluster().gpusPerReplica()).isEqualTo(2);
        assertThat(c.published().get("precise")).containsEntry("ttft_p90_s", 0.542);
        // inference-perf runs each stage to completion, then sleeps load.interval (1 s by default).
        assertThat(c.load().transition()).isEqualTo(StageTransition.INFERENCE_PERF);
    }

    @Test
    void stageIntervalAndContinuousStages() throws Exception {
        Path f = dir.resolve("t.yaml");
        String data = "data: {type: random, random: {input_len: 10, output_len: 5}}\n";
        Files.writeString(f, "load: {type: constant, interval: 5, stages: [{rate: 1, duration: 2}]}\n" + data);
        assertThat(BenchConfigLoader.load(f).load().transition()).isEqualTo(StageTransition.inferencePerf(5));
        Files.writeString(f, "load: {drain_stages: false, stages: [{rate: 1, duration: 2}]}\n" + data);
        assertThat(BenchConfigLoader.load(f).load().transition()).isEqualTo(StageTransition.CONTINUOUS);
        Files.writeString(f, "load: {interval: -1, stages: [{rate: 1, duration: 2}]}\n" + data);
        assertThatThrownBy(() -> BenchConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("load.interval");
    }

    @Test
    void distributionsWarmupAndConcurrency() throws Exception {
        Path f = dir.resolve("w.yaml");
        Files.writeString(f, """
                load: {type: constant, warmup: {rate: 2, duration: 5}, stages: [{rate: 4, duration: 10}], max_concurrency: 8}
                data:
                  type: shared_prefix
                  shared_prefix: {num_groups: 2, num_prompts_per_group: 2, system_prompt_len: 10,
                                  question_len: {mean: 20, std_dev: 5, min: 10, max: 30}, output_len: 5}
                """);
        BenchConfig c = BenchConfigLoader.load(f);
        assertThat(c.load().stages()).hasSize(2);
        assertThat(c.load().stages().getFirst().warmup()).isTrue();
        assertThat(c.load().maxConcurrency()).isEqualTo(8);
        assertThat(c.cluster()).isNull();
    }

    @Test
    void logNormalLengths() throws Exception {
        Path f = dir.resolve("ln.yaml");
        Files.writeString(f, """
                load: {stages: [{rate: 1, duration: 1}]}
                data: {type: random, random: {input_len: {type: lognormal, median: 800, sigma: 0.5, max: 4000},
                                              output_len: {type: normal, mean: 20, std_dev: 2}}}
                """);
        RandomWorkload w = (RandomWorkload) BenchConfigLoader.load(f).workload();
        assertThat(w.inputLen()).isEqualTo(new IntDistribution.LogNormal(800, 0.5, 1, 4000));
        assertThat(w.outputLen()).isEqualTo(new IntDistribution.Normal(20, 2, 1, Integer.MAX_VALUE));
        Files.writeString(f, "load: {stages: [{rate: 1, duration: 1}]}\n"
                + "data: {type: random, random: {input_len: {type: lognormal, median: 800}}}\n");
        assertThatThrownBy(() -> BenchConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("data.random.input_len.sigma");
        Files.writeString(f, "load: {stages: [{rate: 1, duration: 1}]}\n"
                + "data: {type: random, random: {input_len: {type: pareto, median: 800}}}\n");
        assertThatThrownBy(() -> BenchConfigLoader.load(f)).hasMessageContaining("data.random.input_len.type");
    }

    @Test
    void errorsNameTheField() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, """
                load: {type: poisson, stages: [{rate: 4, duration: 10}]}
                data: {type: shared_prefix, shared_prefix: {num_groups: many}}
                """);
        assertThatThrownBy(() -> BenchConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("data.shared_prefix.num_groups");
        Files.writeString(f, "load: {type: burst, stages: [{rate: 4, duration: 10}]}\ndata: {type: random}\n");
        assertThatThrownBy(() -> BenchConfigLoader.load(f)).hasMessageContaining("load.type");
        Files.writeString(f, "load: {stages: [{rate: -1, duration: 10}]}\ndata: {type: random}\n");
        assertThatThrownBy(() -> BenchConfigLoader.load(f)).hasMessageContaining("load.stages[0]");
        Files.writeString(f, "load: {stages: [{rate: 1, duration: 10}]}\ndata: {type: poem}\n");
        assertThatThrownBy(() -> BenchConfigLoader.load(f)).hasMessageContaining("unknown \"poem\"");
        assertThatThrownBy(() -> BenchConfigLoader.load(dir.resolve("missing.yaml"))).hasMessageContaining("not found");
    }

    @Test
    void traceFileIsResolvedNextToTheWorkloadFile() throws Exception {
        Files.writeString(dir.resolve("t.jsonl"), "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": 2, \"hash_ids\": [1]}\n");
        Path f = dir.resolve("trace.yaml");
        Files.writeString(f, "load: {stages: [{rate: 1, duration: 1}]}\ndata: {type: trace, trace: {file: t.jsonl, time_scale: 2}}\n");
        assertThat(BenchConfigLoader.load(f).workload().type()).isEqualTo("trace");
    }
}
