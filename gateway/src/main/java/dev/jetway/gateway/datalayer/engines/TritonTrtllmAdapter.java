package dev.jetway.gateway.datalayer.engines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.gateway.datalayer.PromSample;
import dev.jetway.gateway.datalayer.ScrapedMetrics;
import java.util.List;
import java.util.Set;

/**
 * Triton Inference Server with the TensorRT-LLM backend: two labelled families, {@code nv_trt_llm_request_metrics}
 * ({@code request_type} waiting, scheduled, ...) and {@code nv_trt_llm_kv_cache_block_metrics}
 * ({@code kv_cache_block_type} fraction, tokens_per, max, used, free). Backends older than the {@code fraction} series
 * give the usage as {@code used / max}. Series of several models on one server add up.
 */
public final class TritonTrtllmAdapter implements EngineAdapter {

    static final String REQUESTS = "nv_trt_llm_request_metrics";
    static final String KV_BLOCKS = "nv_trt_llm_kv_cache_block_metrics";
    private static final String TYPE = "request_type";
    private static final String BLOCK_TYPE = "kv_cache_block_type";

    private static final Set<String> SERIES = Set.of(REQUESTS, KV_BLOCKS);

    @Override
    public String name() {
        return "triton-trtllm";
    }

    @Override
    public Set<String> seriesNames() {
        return SERIES;
    }

    @Override
    public boolean recognises(String seriesName) {
        return seriesName.startsWith("nv_trt_llm_");
    }

    @Override
    public ScrapedMetrics read(List<PromSample> samples, JsonNode status) {
        double usage = Series.max(samples, KV_BLOCKS, BLOCK_TYPE, "fraction");
        double max = Series.sum(samples, KV_BLOCKS, BLOCK_TYPE, "max");
        if (Double.isNaN(usage)) {
            double used = Series.sum(samples, KV_BLOCKS, BLOCK_TYPE, "used");
            usage = used >= 0 && max > 0 ? used / max : Double.NaN;
        }
        return ScrapedMetrics.of(Series.count(Series.sum(samples, REQUESTS, TYPE, "waiting")),
                Series.count(Series.sum(samples, REQUESTS, TYPE, "scheduled")), Series.fraction(usage),
                Series.count(Series.max(samples, KV_BLOCKS, BLOCK_TYPE, "tokens_per")), Series.count(max));
    }
}
