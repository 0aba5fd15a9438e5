package dev.jetway.bench.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.bench.load.ArrivalProcess;
import dev.jetway.bench.load.StageTransition;
import dev.jetway.bench.workload.ConversationWorkload;
import dev.jetway.bench.workload.IntDistribution;
import dev.jetway.bench.workload.MixedWorkload;
import dev.jetway.bench.workload.RagClass;
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
    void mixedWorkloadClasses() throws Exception {
        Path f = dir.resolve("mixed.yaml");
        String load = "load: {type: poisson, stages: [{rate: 1, duration: 1}]}\n";
        Files.writeString(f, load + """
                data:
                  type: mixed
                  mixed:
                    seed: 9
                    classes:
                      - {type: rag, weight: 0.5, system_prompt_len: 300, num_documents: 40, document_len: 3000,
                         zipf_exponent: 0.8, question_len: 50, output_len: {mean: 150, std_dev: 60, min: 50, max: 300}}
                      - {type: coding, weight: 0.2, prompt_len: 900, output_len: 2000}
                      - {type: chat, weight: 0.3, num_sessions: 10, turns: 4, user_len: 80, output_len: 250}
                """);
        MixedWorkload w = (MixedWorkload) BenchConfigLoader.load(f).workload();
        assertThat(w.seed()).isEqualTo(9);
        assertThat(w.classes()).hasSize(3);
        assertThat(w.classes().getFirst()).isEqualTo(new RagClass(0.5, IntDistribution.of(300), 40,
                IntDistribution.of(3000), 0.8, IntDistribution.of(50), new IntDistribution.Normal(150, 60, 50, 300)));
        assertThat(w.shares()).containsOnlyKeys("rag", "coding", "chat");
        Files.writeString(f, load + "data: {type: mixed, mixed: {classes: [{type: rag, weight: 1, zipf: 2}]}}\n");
        assertThatThrownBy(() -> BenchConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("data.mixed.classes[0].zipf: unknown field for a rag class");
        Files.writeString(f, load + "data: {type: mixed, mixed: {classes: [{type: batch, weight: 1}]}}\n");
        assertThatThrownBy(() -> BenchConfigLoader.load(f)).hasMessageContaining("data.mixed.classes[0].type");
        Files.writeString(f, load + "data: {type: mixed, mixed: {classes: [{type: chat}]}}\n");
        assertThatThrownBy(() -> BenchConfigLoader.load(f)).hasMessageContaining("data.mixed.classes[0].weight: missing");
        Files.writeString(f, load + "data: {type: mixed, mixed: {classes: [{type: chat, weight: 1, turns: 0}]}}\n");
        assertThatThrownBy(() -> BenchConfigLoader.load(f)).hasMessageContaining("data.mixed.classes[0]: ")
                .hasMessageContaining("turns");
        Files.writeString(f, load + "data: {type: mixed, mixed: {classes: [{type: coding, weight: -1}]}}\n");
        assertThatThrownBy(() -> BenchConfigLoader.load(f)).hasMessageContaining("weight must be > 0");
        Files.writeString(f, load + "data: {type: mixed}\n");
        assertThatThrownBy(() -> BenchConfigLoader.load(f)).hasMessageContaining("data.mixed.classes");
    }

    @Test
    void conversationWorkloadDefaultsAreTheMooncakeFit() throws Exception {
        Path f = dir.resolve("conv.yaml");
        String load = "load: {stages: [{rate: 1, duration: 1}]}\n";
        Files.writeString(f, load + "data: {type: conversation, conversation: {duration: 120, session_rate: 0.5}}\n");
        ConversationWorkload w = (ConversationWorkload) BenchConfigLoader.load(f).workload();
        assertThat(w.spec().continueProbability()).isEqualTo(0.49);
        assertThat(w.spec().thinkTime()).isEqualTo(new IntDistribution.LogNormal(135, 1.15, 30, 3600));
        assertThat(w.spec().maxContext()).isEqualTo(40_960);
        assertThat(w.size()).isPositive();
        Files.writeString(f, load + "data: {type: conversation, conversation: {session_rte: 2}}\n");
        assertThatThrownBy(() -> BenchConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("data.conversation.session_rte: unknown field");
        Files.writeString(f, load + "data: {type: conversation, conversation: {continue_probability: 1.5}}\n");
        assertThatThrownBy(() -> BenchConfigLoader.load(f)).hasMessageContaining("data.conversation: continue_probability");
    }

    @Test
    void theShippedWorkloadFilesLoad() {
        for (String name : new String[] {"mixed.yaml", "mixed-capacity.yaml", "conversation.yaml", "heterogeneous.yaml",
                "overload-tiers.yaml", "overload-tiers-capacity.yaml", "pd-guide-45qps.yaml", "pd-guide-ladder.yaml"}) {
            assertThat(BenchConfigLoader.load(Path.of("../docs/workloads", name)).workload()).as(name).isNotNull();
        }
    }

    @Test
    void clusterGroupsDescribeAHeterogeneousPool() throws Exception {
        Path f = dir.resolve("groups.yaml");
        String head = "load: {stages: [{rate: 1, duration: 1}]}\ndata: {type: random}\n";
        Files.writeString(f, head + """
                cluster:
                  blockSize: 64
                  kvCacheTokensPerReplica: 200000
                  groups:
                    - {replicas: 3, profile: qwen3-32b-h100-tp2}
                    - {replicas: 5, profile: qwen3-32b-a100-tp2, kvCacheTokensPerReplica: 100000, maxNumBatchedTokens: 4096}
                """);
        ClusterSpec c = BenchConfigLoader.load(f).cluster();
        assertThat(c.replicas()).isEqualTo(8);
        assertThat(c.profile()).isNull();
        assertThat(c.groups()).containsExactly(new ClusterSpec.Group(3, "qwen3-32b-h100-tp2", 0, 0),
                new ClusterSpec.Group(5, "qwen3-32b-a100-tp2", 100_000, 4096));
        assertThat(c.kvCacheTokensPerReplica()).isEqualTo(200_000);
        String[][] bad = {
            {"{profile: x, groups: [{replicas: 1, profile: y}]}", "cluster.profile: a cluster with groups"},
            {"{replicas: 3, groups: [{replicas: 1, profile: y}]}", "cluster.replicas: 3 does not match the 1"},
            {"{groups: [{replicas: 1, profile: y, blockSize: 16}]}", "cluster.groups[0].blockSize: every replica uses"},
            {"{groups: [{replicas: 0, profile: y}]}", "cluster.groups[0].replicas"},
            {"{groups: [{replicas: 2}]}", "cluster.groups[0].profile: missing"},
            {"{groups: [{replicas: 2, profile: y, gpus: 2}]}", "cluster.groups[0].gpus: unknown field"},
            {"{groups: []}", "cluster.groups: expected a list"},
        };
        for (String[] b : bad) {
            Files.writeString(f, head + "cluster: " + b[0] + "\n");
            assertThatThrownBy(() -> BenchConfigLoader.load(f)).as(b[0]).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(b[1]);
        }
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
