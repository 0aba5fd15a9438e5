package dev.jetway.gateway.datalayer.engines;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.datalayer.ScrapedMetrics;
import org.junit.jupiter.api.Test;

class SglangAdapterTest {

    /** SGLang 0.5.11+ ({@code --enable-metrics}): capacity as gauges. */
    static final String PAGE = """
            # HELP sglang:num_running_reqs The number of running requests.
            # TYPE sglang:num_running_reqs gauge
            sglang:num_running_reqs{engine_type="unified",model_name="meta-llama/Llama-3.1-8B-Instruct",pp_rank="0",tp_rank="0"} 12.0
            # HELP sglang:num_queue_reqs The number of requests in the waiting queue.
            # TYPE sglang:num_queue_reqs gauge
            sglang:num_queue_reqs{engine_type="unified",model_name="meta-llama/Llama-3.1-8B-Instruct",pp_rank="0",tp_rank="0"} 4.0
            # HELP sglang:token_usage The token usage.
            # TYPE sglang:token_usage gauge
            sglang:token_usage{engine_type="unified",model_name="meta-llama/Llama-3.1-8B-Instruct",pp_rank="0",tp_rank="0"} 0.61
            sglang:cache_hit_rate{engine_type="unified",model_name="meta-llama/Llama-3.1-8B-Instruct",pp_rank="0",tp_rank="0"} 0.42
            # HELP sglang:page_size KV cache page size in tokens.
            # TYPE sglang:page_size gauge
            sglang:page_size{engine_type="unified",model_name="meta-llama/Llama-3.1-8B-Instruct",pp_rank="0",tp_rank="0"} 16.0
            # HELP sglang:num_pages Number of KV cache pages.
            # TYPE sglang:num_pages gauge
            sglang:num_pages{engine_type="unified",model_name="meta-llama/Llama-3.1-8B-Instruct",pp_rank="0",tp_rank="0"} 28000.0
            sglang:max_total_num_tokens{engine_type="unified",model_name="meta-llama/Llama-3.1-8B-Instruct",pp_rank="0",tp_rank="0"} 448000.0
            # TYPE sglang:time_to_first_token_seconds histogram
            sglang:time_to_first_token_seconds_bucket{le="0.1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3.0
            """;

    private final SglangAdapter adapter = new SglangAdapter();

    @Test
    void readsEverySignal() {
        ScrapedMetrics m = Pages.read(adapter, PAGE);
        assertThat(m.running()).isEqualTo(12);
        assertThat(m.waiting()).isEqualTo(4);
        assertThat(m.kvCacheUsage()).isEqualTo(0.61);
        assertThat(m.blockSize()).isEqualTo(16);
        assertThat(m.numGpuBlocks()).isEqualTo(28000);
        assertThat(m.maxLora()).isEqualTo(-1);
    }

    @Test
    void readsTheGeometryOfOlderReleasesFromCacheConfigInfo() {
        ScrapedMetrics m = Pages.read(adapter, """
                sglang:num_queue_reqs{model_name="m",tp_rank="0"} 0
                sglang:cache_config_info{model_name="m",num_pages="9000",page_size="64"} 1
                """);
        assertThat(m.blockSize()).isEqualTo(64);
        assertThat(m.numGpuBlocks()).isEqualTo(9000);
    }

    @Test
    void withoutPagesTheTokenCapacityIsPagesOfOneToken() {
        ScrapedMetrics m = Pages.read(adapter, "sglang:max_total_num_tokens{tp_rank=\"0\"} 120000\n");
        assertThat(m.blockSize()).isEqualTo(1);
        assertThat(m.numGpuBlocks()).isEqualTo(120000);
    }

    @Test
    void addsDataParallelAttentionRanks() {
        ScrapedMetrics m = Pages.read(adapter, """
                sglang:num_queue_reqs{dp_rank="0"} 1
                sglang:num_queue_reqs{dp_rank="1"} 3
                sglang:num_running_reqs{dp_rank="0"} 8
                sglang:num_running_reqs{dp_rank="1"} 8
                sglang:token_usage{dp_rank="0"} 0.3
                sglang:token_usage{dp_rank="1"} 0.7
                """);
        assertThat(m.waiting()).isEqualTo(4);
        assertThat(m.running()).isEqualTo(16);
        assertThat(m.kvCacheUsage()).isEqualTo(0.7);
    }

    @Test
    void missingAndMalformedSeriesStayUnknown() {
        ScrapedMetrics m = Pages.read(adapter, """
                sglang:num_running_reqs{tp_rank="0"} NaN
                sglang:cache_config_info{page_size="",num_pages="many"} 1
                vllm:num_requests_waiting 9
                """);
        assertThat(m.running()).isEqualTo(-1);
        assertThat(m.waiting()).isEqualTo(-1);
        assertThat(m.kvCacheUsage()).isNaN();
        assertThat(m.blockSize()).isEqualTo(-1);
        assertThat(m.numGpuBlocks()).isEqualTo(-1);
    }
}
