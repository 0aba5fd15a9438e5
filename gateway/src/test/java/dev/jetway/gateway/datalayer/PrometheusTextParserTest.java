package dev.jetway.gateway.datalayer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrometheusTextParserTest {

    private static final String VLLM_PAGE = """
            # HELP vllm:num_requests_running Number of requests in model execution batches.
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running{engine="0",model_name="Qwen/Qwen3-32B"} 3.0
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{engine="0",model_name="Qwen/Qwen3-32B"} 7.0
            vllm:kv_cache_usage_perc{engine="0",model_name="Qwen/Qwen3-32B"} 0.4375
            vllm:cache_config_info{block_size="64",cache_dtype="auto",engine="0",num_gpu_blocks="31250"} 1.0
            vllm:lora_requests_info{max_lora="4",running_lora_adapters="a,b",waiting_lora_adapters=""} 1.7e9
            vllm:lora_requests_info{max_lora="4",running_lora_adapters="c",waiting_lora_adapters="d"} 1.8e9
            # TYPE vllm:time_to_first_token_seconds histogram
            vllm:time_to_first_token_seconds_bucket{le="0.001",model_name="Qwen/Qwen3-32B"} 0.0
            vllm:time_to_first_token_seconds_bucket{le="+Inf",model_name="Qwen/Qwen3-32B"} 12.0
            """;

    @Test
    void readsNamesWithColonsLabelsAndSpecialValues() {
        List<PromSample> all = PrometheusTextParser.parse("""
                a:b:c{x="1",y="two words"} 1.5 1700000000000
                plain 42
                nan_metric NaN
                up{le="+Inf"} +Inf
                down -Inf
                """, null);
        assertThat(all).extracting(PromSample::name).containsExactly("a:b:c", "plain", "nan_metric", "up", "down");
        assertThat(all.get(0).labels()).containsEntry("x", "1").containsEntry("y", "two words");
        assertThat(all.get(0).value()).isEqualTo(1.5);
        assertThat(all.get(2).value()).isNaN();
        assertThat(all.get(3).value()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(all.get(3).label("le")).isEqualTo("+Inf");
        assertThat(all.get(4).value()).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void unescapesLabelValues() {
        List<PromSample> s = PrometheusTextParser.parse("m{path=\"C:\\\\dir\",q=\"say \\\"hi\\\"\",n=\"a\\nb\",c=\"x,y}\"} 1\n",
                null);
        assertThat(s.getFirst().labels()).containsEntry("path", "C:\\dir").containsEntry("q", "say \"hi\"")
                .containsEntry("n", "a\nb").containsEntry("c", "x,y}");
    }

    @Test
    void skipsUnwantedNamesWithoutParsingThem() {
        List<PromSample> s = PrometheusTextParser.parse("wanted 1\nunwanted{this is not even valid 2\n", Set.of("wanted"));
        assertThat(s).hasSize(1);
    }

    @Test
    void rejectsBrokenLines() {
        assertThatThrownBy(() -> PrometheusTextParser.parse("m{a=\"unterminated} 1\n", null))
                .isInstanceOf(PrometheusTextParser.MetricsFormatException.class);
        assertThatThrownBy(() -> PrometheusTextParser.parse("m notanumber\n", null))
                .isInstanceOf(PrometheusTextParser.MetricsFormatException.class);
        // found by fuzzing (PrometheusTextFuzzTest): a label's '=' then only spaces to the end read past the line
        for (String page : new String[] {"vllm:kv_cache_usage_perc{e=\r", "m{e=", "m{e= \t", "m{e=\r\nm 1\n"}) {
            assertThatThrownBy(() -> PrometheusTextParser.parse(page, null))
                    .isInstanceOf(PrometheusTextParser.MetricsFormatException.class)
                    .hasMessageContaining("has no quoted value");
        }
    }

    @Test
    void extractsVllmSignals() {
        ScrapedMetrics m = VllmMetricsExtractor.extract(VLLM_PAGE);
        assertThat(m.running()).isEqualTo(3);
        assertThat(m.waiting()).isEqualTo(7);
        assertThat(m.kvCacheUsage()).isEqualTo(0.4375);
        assertThat(m.blockSize()).isEqualTo(64);
        assertThat(m.numGpuBlocks()).isEqualTo(31250);
        // the newest lora_requests_info series is the current state
        assertThat(m.maxLora()).isEqualTo(4);
        assertThat(m.runningLoras()).containsExactly("c");
        assertThat(m.waitingLoras()).containsExactly("d");
    }

    @Test
    void fallsBackToTheOldKvUsageNameAndMarksMissingSignals() {
        ScrapedMetrics m = VllmMetricsExtractor.extract("vllm:gpu_cache_usage_perc 0.25\n");
        assertThat(m.kvCacheUsage()).isEqualTo(0.25);
        assertThat(m.waiting()).isEqualTo(-1);
        assertThat(m.blockSize()).isEqualTo(-1);
    }
}
