package dev.jetway.gateway.datalayer.engines;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.datalayer.ScrapedMetrics;
import org.junit.jupiter.api.Test;

class TritonTrtllmAdapterTest {

    /** Triton's {@code :8002/metrics} with the TensorRT-LLM backend. */
    static final String PAGE = """
            # HELP nv_inference_request_success Number of successful inference requests
            # TYPE nv_inference_request_success counter
            nv_inference_request_success{model="ensemble",version="1"} 500
            # HELP nv_trt_llm_request_metrics TRT LLM request metrics
            # TYPE nv_trt_llm_request_metrics gauge
            nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="context",version="1"} 1
            nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="scheduled",version="1"} 5
            nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="max",version="1"} 64
            nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="active",version="1"} 5
            nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="waiting",version="1"} 3
            # HELP nv_trt_llm_kv_cache_block_metrics TRT LLM KV cache block metrics
            # TYPE nv_trt_llm_kv_cache_block_metrics gauge
            nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="tokens_per",model="tensorrt_llm",version="1"} 64
            nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="used",model="tensorrt_llm",version="1"} 1024
            nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="free",model="tensorrt_llm",version="1"} 3072
            nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="max",model="tensorrt_llm",version="1"} 4096
            nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="fraction",model="tensorrt_llm",version="1"} 0.25
            """;

    private final TritonTrtllmAdapter adapter = new TritonTrtllmAdapter();

    @Test
    void readsEverySignal() {
        ScrapedMetrics m = Pages.read(adapter, PAGE);
        assertThat(m.waiting()).isEqualTo(3);
        assertThat(m.running()).isEqualTo(5);
        assertThat(m.kvCacheUsage()).isEqualTo(0.25);
        assertThat(m.blockSize()).isEqualTo(64);
        assertThat(m.numGpuBlocks()).isEqualTo(4096);
    }

    @Test
    void olderBackendsWithoutTheFractionGiveUsedOverMax() {
        ScrapedMetrics m = Pages.read(adapter, PAGE.lines().filter(l -> !l.contains("\"fraction\""))
                .reduce("", (a, b) -> a + b + "\n"));
        assertThat(m.kvCacheUsage()).isEqualTo(0.25);
    }

    @Test
    void missingAndMalformedSeriesStayUnknown() {
        ScrapedMetrics m = Pages.read(adapter, """
                nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="scheduled",version="1"} NaN
                nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="used",model="tensorrt_llm",version="1"} 10
                nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="max",model="tensorrt_llm",version="1"} 0
                """);
        assertThat(m.waiting()).isEqualTo(-1);
        assertThat(m.running()).isEqualTo(-1);
        assertThat(m.kvCacheUsage()).isNaN(); // used over a max of 0 is no usage at all
        assertThat(m.blockSize()).isEqualTo(-1);
    }
}
