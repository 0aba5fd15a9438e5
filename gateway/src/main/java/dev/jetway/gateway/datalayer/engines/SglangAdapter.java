package dev.jetway.gateway.datalayer.engines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.gateway.datalayer.PromSample;
import dev.jetway.gateway.datalayer.ScrapedMetrics;
import java.util.List;
import java.util.Set;

/**
 * SGLang ({@code --enable-metrics}). KV geometry: the {@code sglang:page_size} and {@code sglang:num_pages} gauges
 * (v0.5.11 on), else the labels of {@code sglang:cache_config_info} (older), else {@code sglang:max_total_num_tokens}
 * read as pages of one token (SGLang's default page size). Its metrics name no LoRA adapters: the
 * {@code /v1/models} list is all Jetway knows of them.
 */
public final class SglangAdapter implements EngineAdapter {

    static final String WAITING = "sglang:num_queue_reqs";
    static final String RUNNING = "sglang:num_running_reqs";
    static final String KV_USAGE = "sglang:token_usage";
    static final String PAGE_SIZE = "sglang:page_size";
    static final String NUM_PAGES = "sglang:num_pages";
    static final String CACHE_CONFIG = "sglang:cache_config_info";
    static final String MAX_TOKENS = "sglang:max_total_num_tokens";

    private static final Set<String> SERIES = Set.of(WAITING, RUNNING, KV_USAGE, PAGE_SIZE, NUM_PAGES, CACHE_CONFIG,
            MAX_TOKENS);

    @Override
    public String name() {
        return "sglang";
    }

    @Override
    public Set<String> seriesNames() {
        return SERIES;
    }

    @Override
    public boolean recognises(String seriesName) {
        return seriesName.startsWith("sglang:");
    }

    @Override
    public ScrapedMetrics read(List<PromSample> samples, JsonNode status) {
        PromSample config = Series.first(samples, CACHE_CONFIG);
        int pageSize = Series.count(Series.max(samples, PAGE_SIZE));
        if (pageSize <= 0) {
            pageSize = Series.intLabel(config, "page_size", -1);
        }
        // data-parallel attention exports one series per rank: pages add up like the load does
        int pages = Series.count(Series.sum(samples, NUM_PAGES));
        if (pages <= 0) {
            pages = Series.intLabel(config, "num_pages", -1);
        }
        if (pages <= 0) {
            int tokens = Series.count(Series.sum(samples, MAX_TOKENS));
            if (tokens > 0) {
                pageSize = pageSize > 0 ? pageSize : 1;
                pages = tokens / pageSize;
            }
        }
        return ScrapedMetrics.of(Series.count(Series.sum(samples, WAITING)),
                Series.count(Series.sum(samples, RUNNING)), Series.fraction(Series.max(samples, KV_USAGE)),
                pageSize, pages);
    }
}
