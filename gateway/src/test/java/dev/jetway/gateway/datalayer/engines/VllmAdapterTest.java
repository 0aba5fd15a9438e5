package dev.jetway.gateway.datalayer.engines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.gateway.datalayer.PrometheusTextParser;
import dev.jetway.gateway.datalayer.ScrapedMetrics;
import org.junit.jupiter.api.Test;

class VllmAdapterTest {

    /** A vLLM V1 page (0.11-style names), process series and histograms included. */
    static final String PAGE = """
            # HELP python_gc_objects_collected_total Objects collected during gc
            # TYPE python_gc_objects_collected_total counter
            python_gc_objects_collected_total{generation="0"} 12345.0
            process_resident_memory_bytes 5.1e+09
            # HELP vllm:num_requests_running Number of requests in model execution batches.
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running{engine="0",model_name="Qwen/Qwen3-32B"} 3.0
            # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{engine="0",model_name="Qwen/Qwen3-32B"} 7.0
            # HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
            # TYPE vllm:kv_cache_usage_perc gauge
            vllm:kv_cache_usage_perc{engine="0",model_name="Qwen/Qwen3-32B"} 0.4375
            # TYPE vllm:cache_config_info gauge
            vllm:cache_config_info{block_size="64",cache_dtype="auto",enable_prefix_caching="True",engine="0",num_gpu_blocks="31250"} 1.0
            # TYPE vllm:lora_requests_info gauge
            vllm:lora_requests_info{max_lora="4",running_lora_adapters="a,b",waiting_lora_adapters=""} 1.7e9
            vllm:lora_requests_info{max_lora="4",running_lora_adapters="c",waiting_lora_adapters="d"} 1.8e9
            # TYPE vllm:time_to_first_token_seconds histogram
            vllm:time_to_first_token_seconds_bucket{engine="0",le="0.001",model_name="Qwen/Qwen3-32B"} 0.0
            vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="Qwen/Qwen3-32B"} 12.0
            """;

    private final VllmAdapter adapter = new VllmAdapter();

    @Test
    void readsEverySignal() {
        ScrapedMetrics m = Pages.read(adapter, PAGE);
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
    void addsDataParallelRanksAndTakesTheFullestKvCache() {
        ScrapedMetrics m = Pages.read(adapter, """
                vllm:num_requests_waiting{engine="0"} 2
                vllm:num_requests_waiting{engine="1"} 5
                vllm:num_requests_running{engine="0"} 1
                vllm:num_requests_running{engine="1"} 4
                vllm:kv_cache_usage_perc{engine="0"} 0.2
                vllm:kv_cache_usage_perc{engine="1"} 0.9
                """);
        assertThat(m.waiting()).isEqualTo(7);
        assertThat(m.running()).isEqualTo(5);
        assertThat(m.kvCacheUsage()).isEqualTo(0.9);
    }

    @Test
    void fallsBackToTheV0KvUsageNameAndMarksMissingSignals() {
        ScrapedMetrics m = Pages.read(adapter, "vllm:gpu_cache_usage_perc 0.25\n");
        assertThat(m.kvCacheUsage()).isEqualTo(0.25);
        assertThat(m.waiting()).isEqualTo(-1);
        assertThat(m.running()).isEqualTo(-1);
        assertThat(m.blockSize()).isEqualTo(-1);
        assertThat(m.maxLora()).isEqualTo(-1);
    }

    @Test
    void malformedValuesCountAsMissing() {
        ScrapedMetrics m = Pages.read(adapter, """
                vllm:num_requests_waiting NaN
                vllm:kv_cache_usage_perc +Inf
                vllm:cache_config_info{block_size="sixteen",num_gpu_blocks="-3"} 1
                vllm:lora_requests_info{max_lora="x",running_lora_adapters=" , a ,"} 1
                """);
        assertThat(m.waiting()).isEqualTo(-1);
        assertThat(m.kvCacheUsage()).isNaN();
        assertThat(m.blockSize()).isEqualTo(-1);
        assertThat(m.numGpuBlocks()).isEqualTo(-1);
        assertThat(m.maxLora()).isEqualTo(-1);
        assertThat(m.runningLoras()).containsExactly("a");
    }

    @Test
    void aBrokenLineOfAReadSeriesFailsTheScrape() {
        assertThatThrownBy(() -> Pages.read(adapter, "vllm:num_requests_waiting{engine=\"0} 1\n"))
                .isInstanceOf(PrometheusTextParser.MetricsFormatException.class);
        // other engines' or unknown series are not parsed at all
        assertThat(Pages.read(adapter, "garbage{ 1\nvllm:num_requests_running 2\n").running()).isEqualTo(2);
    }
}
