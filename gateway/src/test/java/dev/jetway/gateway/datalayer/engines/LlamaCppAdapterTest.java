package dev.jetway.gateway.datalayer.engines;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.datalayer.ScrapedMetrics;
import org.junit.jupiter.api.Test;

class LlamaCppAdapterTest {

    /** llama-server (llama.cpp de3ff81) {@code --metrics}, rendered as its to_metrics() writes it. */
    static final String PAGE = """
            # HELP llamacpp:prompt_tokens_total Number of prompt tokens processed, excluding cached tokens
            # TYPE llamacpp:prompt_tokens_total counter
            llamacpp:prompt_tokens_total 6002
            # HELP llamacpp:prompt_tokens_cached_total Number of prompt tokens reused from the cache
            # TYPE llamacpp:prompt_tokens_cached_total counter
            llamacpp:prompt_tokens_cached_total 4000
            # HELP llamacpp:n_tokens_max Largest observed sequence length (prompt + generation)
            # TYPE llamacpp:n_tokens_max counter
            llamacpp:n_tokens_max 2064
            # HELP llamacpp:prompt_tokens_seconds Average prompt throughput in tokens/s
            # TYPE llamacpp:prompt_tokens_seconds gauge
            llamacpp:prompt_tokens_seconds 1312.5
            # HELP llamacpp:requests_processing Number of requests processing
            # TYPE llamacpp:requests_processing gauge
            llamacpp:requests_processing 2
            # HELP llamacpp:requests_deferred Number of requests deferred
            # TYPE llamacpp:requests_deferred gauge
            llamacpp:requests_deferred 3
            # HELP llamacpp:n_busy_slots_per_decode Average number of busy slots per llama_decode() call
            # TYPE llamacpp:n_busy_slots_per_decode gauge
            llamacpp:n_busy_slots_per_decode 1.98
            """;

    /** {@code GET /slots}: two slots of 4096 tokens, one busy with a 2048-token context, one idle but holding a prompt. */
    static final String SLOTS = """
            [{"id":0,"n_ctx":4096,"speculative":false,"is_processing":true,"id_task":17,"n_prompt_tokens":2048,
              "n_prompt_tokens_processed":48,"n_prompt_tokens_cache":2000,"params":{"n_predict":64},
              "next_token":[{"has_next_token":true,"has_new_line":false,"n_remain":60,"n_decoded":4}]},
             {"id":1,"n_ctx":4096,"speculative":false,"is_processing":false,"id_task":9,"n_prompt_tokens":3000,
              "n_prompt_tokens_processed":3000,"n_prompt_tokens_cache":0,"params":{"n_predict":64},
              "next_token":[{"has_next_token":false,"has_new_line":false,"n_remain":0,"n_decoded":64}]}]
            """;

    private final LlamaCppAdapter adapter = new LlamaCppAdapter();

    @Test
    void queueFromMetricsAndKvFromSlots() {
        assertThat(adapter.statusPage().path()).isEqualTo("/slots");
        assertThat(adapter.statusPage().everyScrape()).isTrue();
        ScrapedMetrics m = Pages.read(adapter, PAGE, SLOTS);
        assertThat(m.waiting()).isEqualTo(3);
        assertThat(m.running()).isEqualTo(2);
        assertThat(m.kvCacheUsage()).isEqualTo(2048.0 / 8192);
        assertThat(m.blockSize()).isEqualTo(1);
        // what the slots hold, busy or idle: one prompt per slot is what llama.cpp can hit
        assertThat(m.numGpuBlocks()).isEqualTo(2048 + 3000);
    }

    @Test
    void beforeAnySlotHoldsAPromptTheCapacityIsTheirContexts() {
        ScrapedMetrics m = Pages.read(adapter, PAGE, """
                [{"id":0,"n_ctx":4096,"is_processing":false},{"id":1,"n_ctx":4096,"is_processing":false}]
                """);
        assertThat(m.kvCacheUsage()).isZero();
        assertThat(m.numGpuBlocks()).isEqualTo(8192);
    }

    @Test
    void aSlotThatHoldsNothingYetIsRoomForOnePromptLikeTheOthers() {
        // one prompt of 800 tokens in one slot, the other slot empty: a second prompt fits without evicting the first
        ScrapedMetrics m = Pages.read(adapter, PAGE, """
                [{"id":0,"n_ctx":4096,"is_processing":false,"n_prompt_tokens":800},
                 {"id":1,"n_ctx":4096,"is_processing":false,"n_prompt_tokens":0}]
                """);
        assertThat(m.numGpuBlocks()).isEqualTo(800 + 800);
    }

    @Test
    void withoutSlotsTheKvSignalsAreUnknown() {
        ScrapedMetrics m = Pages.read(adapter, PAGE);
        assertThat(m.waiting()).isEqualTo(3);
        assertThat(m.kvCacheUsage()).isNaN();
        assertThat(m.blockSize()).isEqualTo(-1);
        assertThat(m.numGpuBlocks()).isEqualTo(-1);
        // --no-slots answers with an error object, not a list
        ScrapedMetrics error = Pages.read(adapter, PAGE,
                "{\"error\":{\"code\":501,\"message\":\"This server does not support slots endpoint.\"}}");
        assertThat(error.kvCacheUsage()).isNaN();
    }

    @Test
    void olderBuildsKvGaugeIsReadWhenSlotsAreUnknown() {
        ScrapedMetrics m = Pages.read(adapter, "llamacpp:kv_cache_usage_ratio 0.5\nllamacpp:requests_deferred 0\n");
        assertThat(m.kvCacheUsage()).isEqualTo(0.5);
    }

    @Test
    void malformedSlotsAndMissingSeries() {
        ScrapedMetrics m = Pages.read(adapter, "llamacpp:prompt_tokens_total 5\n",
                "[{\"id\":0,\"n_ctx\":\"big\",\"is_processing\":true},{\"id\":1,\"n_ctx\":100,\"is_processing\":true,"
                        + "\"n_prompt_tokens\":500}]");
        assertThat(m.waiting()).isEqualTo(-1);
        assertThat(m.running()).isEqualTo(-1);
        assertThat(m.numGpuBlocks()).isEqualTo(100);
        assertThat(m.kvCacheUsage()).isEqualTo(1.0); // a slot's context never counts past its size
    }
}
