package dev.jetway.gateway.datalayer.engines;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.datalayer.ScrapedMetrics;
import org.junit.jupiter.api.Test;

class TgiAdapterTest {

    static final String PAGE = """
            # TYPE tgi_request_count counter
            tgi_request_count 150
            # TYPE tgi_queue_size gauge
            tgi_queue_size 3
            # TYPE tgi_batch_current_size gauge
            tgi_batch_current_size 5
            # TYPE tgi_batch_current_max_tokens gauge
            tgi_batch_current_max_tokens 12000
            # TYPE tgi_request_duration histogram
            tgi_request_duration_bucket{le="0.5"} 10
            """;

    static final String INFO = """
            {"model_id":"meta-llama/Llama-3.1-8B-Instruct","model_dtype":"torch.float16","max_concurrent_requests":128,
             "max_best_of":2,"max_stop_sequences":4,"max_input_tokens":4095,"max_total_tokens":4096,
             "max_batch_total_tokens":48000,"max_batch_prefill_tokens":4096,"max_waiting_tokens":20,
             "validation_workers":2,"version":"3.3.4","router":"text-generation-router"}
            """;

    private final TgiAdapter adapter = new TgiAdapter();

    @Test
    void estimatesKvUsageFromTheBatchTokensOverTheBudgetOfInfo() {
        assertThat(adapter.statusPage().path()).isEqualTo("/info");
        assertThat(adapter.statusPage().everyScrape()).isFalse();
        ScrapedMetrics m = Pages.read(adapter, PAGE, INFO);
        assertThat(m.waiting()).isEqualTo(3);
        assertThat(m.running()).isEqualTo(5);
        assertThat(m.kvCacheUsage()).isEqualTo(0.25);
        assertThat(m.blockSize()).isEqualTo(1);
        assertThat(m.numGpuBlocks()).isEqualTo(48000);
    }

    @Test
    void withoutInfoTheKvSignalsAreUnknown() {
        ScrapedMetrics m = Pages.read(adapter, PAGE);
        assertThat(m.waiting()).isEqualTo(3);
        assertThat(m.kvCacheUsage()).isNaN();
        assertThat(m.numGpuBlocks()).isEqualTo(-1);
        ScrapedMetrics malformed = Pages.read(adapter, PAGE, "{\"max_batch_total_tokens\":\"lots\"}");
        assertThat(malformed.kvCacheUsage()).isNaN();
    }

    @Test
    void missingSeriesStayUnknown() {
        ScrapedMetrics m = Pages.read(adapter, "tgi_request_count 1\n", INFO);
        assertThat(m.waiting()).isEqualTo(-1);
        assertThat(m.running()).isEqualTo(-1);
        assertThat(m.kvCacheUsage()).isNaN();
        assertThat(m.numGpuBlocks()).isEqualTo(48000);
    }
}
