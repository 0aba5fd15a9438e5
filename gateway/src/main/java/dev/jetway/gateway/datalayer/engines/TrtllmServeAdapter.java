package dev.jetway.gateway.datalayer.engines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.gateway.datalayer.PromSample;
import dev.jetway.gateway.datalayer.ScrapedMetrics;
import java.util.List;
import java.util.Set;

/**
 * TensorRT-LLM's {@code trtllm-serve}. It serves Prometheus text on {@code /prometheus/metrics} ({@code /metrics} is
 * its JSON iteration log), so that is the path scraped unless {@code dataLayer.metricsPath} says otherwise.
 */
public final class TrtllmServeAdapter implements EngineAdapter {

    static final String WAITING = "trtllm_num_requests_waiting";
    static final String RUNNING = "trtllm_num_requests_running";
    static final String KV_USAGE = "trtllm_kv_cache_utilization";
    static final String TOKENS_PER_BLOCK = "trtllm_kv_cache_tokens_per_block";
    static final String MAX_BLOCKS = "trtllm_kv_cache_max_blocks";

    private static final Set<String> SERIES = Set.of(WAITING, RUNNING, KV_USAGE, TOKENS_PER_BLOCK, MAX_BLOCKS);

    @Override
    public String name() {
        return "trtllm-serve";
    }

    @Override
    public Set<String> seriesNames() {
        return SERIES;
    }

    @Override
    public boolean recognises(String seriesName) {
        return seriesName.startsWith("trtllm_");
    }

    @Override
    public String metricsPath() {
        return "/prometheus/metrics";
    }

    @Override
    public ScrapedMetrics read(List<PromSample> samples, JsonNode status) {
        return ScrapedMetrics.of(Series.count(Series.sum(samples, WAITING)),
                Series.count(Series.sum(samples, RUNNING)), Series.fraction(Series.max(samples, KV_USAGE)),
                Series.count(Series.max(samples, TOKENS_PER_BLOCK)), Series.count(Series.sum(samples, MAX_BLOCKS)));
    }
}
