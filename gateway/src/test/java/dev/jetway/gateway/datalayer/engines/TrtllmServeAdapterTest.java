package dev.jetway.gateway.datalayer.engines;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.datalayer.ScrapedMetrics;
import org.junit.jupiter.api.Test;

class TrtllmServeAdapterTest {

    /** trtllm-serve's {@code /prometheus/metrics}. */
    static final String PAGE = """
            # HELP trtllm_num_requests_running Number of requests currently running
            # TYPE trtllm_num_requests_running gauge
            trtllm_num_requests_running{engine_type="trtllm",model_name="llama-8b"} 6.0
            # HELP trtllm_num_requests_waiting Number of requests waiting
            # TYPE trtllm_num_requests_waiting gauge
            trtllm_num_requests_waiting{engine_type="trtllm",model_name="llama-8b"} 2.0
            # TYPE trtllm_kv_cache_utilization gauge
            trtllm_kv_cache_utilization{engine_type="trtllm",model_name="llama-8b"} 0.62
            # TYPE trtllm_kv_cache_tokens_per_block gauge
            trtllm_kv_cache_tokens_per_block{engine_type="trtllm",model_name="llama-8b"} 32.0
            # TYPE trtllm_kv_cache_max_blocks gauge
            trtllm_kv_cache_max_blocks{engine_type="trtllm",model_name="llama-8b"} 62762.0
            # TYPE trtllm_kv_cache_hit_rate gauge
            trtllm_kv_cache_hit_rate{engine_type="trtllm",model_name="llama-8b"} 0.31
            trtllm_request_success_total{finished_reason="length",model_name="llama-8b"} 100.0
            """;

    private final TrtllmServeAdapter adapter = new TrtllmServeAdapter();

    @Test
    void readsEverySignalFromItsPrometheusPath() {
        assertThat(adapter.metricsPath()).isEqualTo("/prometheus/metrics");
        ScrapedMetrics m = Pages.read(adapter, PAGE);
        assertThat(m.running()).isEqualTo(6);
        assertThat(m.waiting()).isEqualTo(2);
        assertThat(m.kvCacheUsage()).isEqualTo(0.62);
        assertThat(m.blockSize()).isEqualTo(32);
        assertThat(m.numGpuBlocks()).isEqualTo(62762);
    }

    @Test
    void missingAndMalformedSeriesStayUnknown() {
        ScrapedMetrics m = Pages.read(adapter, """
                trtllm_num_requests_running -Inf
                trtllm_kv_cache_utilization 1.7
                """);
        assertThat(m.running()).isEqualTo(-1);
        assertThat(m.waiting()).isEqualTo(-1);
        assertThat(m.kvCacheUsage()).isEqualTo(1.0); // a ratio past 1 is clamped, not trusted further
        assertThat(m.blockSize()).isEqualTo(-1);
        assertThat(m.numGpuBlocks()).isEqualTo(-1);
    }
}
