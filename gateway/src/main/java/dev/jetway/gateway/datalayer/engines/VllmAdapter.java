package dev.jetway.gateway.datalayer.engines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.gateway.datalayer.PromSample;
import dev.jetway.gateway.datalayer.ScrapedMetrics;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** vLLM (V1 and V0 names; also {@code jetway sim}): llm-d's core metrics extractor, vLLM column. */
public final class VllmAdapter implements EngineAdapter {

    static final String WAITING = "vllm:num_requests_waiting";
    static final String RUNNING = "vllm:num_requests_running";
    static final String KV_USAGE = "vllm:kv_cache_usage_perc";
    static final String KV_USAGE_OLD = "vllm:gpu_cache_usage_perc";
    static final String CACHE_CONFIG = "vllm:cache_config_info";
    static final String LORA_INFO = "vllm:lora_requests_info";

    private static final Set<String> SERIES = Set.of(WAITING, RUNNING, KV_USAGE, KV_USAGE_OLD, CACHE_CONFIG, LORA_INFO);

    @Override
    public String name() {
        return "vllm";
    }

    @Override
    public Set<String> seriesNames() {
        return SERIES;
    }

    @Override
    public boolean recognises(String seriesName) {
        return seriesName.startsWith("vllm:");
    }

    @Override
    public ScrapedMetrics read(List<PromSample> samples, JsonNode status) {
        double kv = Series.max(samples, KV_USAGE);
        PromSample cache = Series.first(samples, CACHE_CONFIG);
        PromSample lora = null;
        for (PromSample s : samples) {
            // the value is the series' last-update time: the newest series is the current state
            if (s.name().equals(LORA_INFO) && (lora == null || s.value() > lora.value())) {
                lora = s;
            }
        }
        return new ScrapedMetrics(
                // data-parallel engines export one series per rank: the endpoint's load is their sum
                Series.count(Series.sum(samples, WAITING)), Series.count(Series.sum(samples, RUNNING)),
                Series.fraction(Double.isNaN(kv) ? Series.max(samples, KV_USAGE_OLD) : kv),
                Series.intLabel(cache, "block_size", -1), Series.intLabel(cache, "num_gpu_blocks", -1),
                Series.intLabel(lora, "max_lora", -1), loraList(lora, "running_lora_adapters"),
                loraList(lora, "waiting_lora_adapters"));
    }

    private static List<String> loraList(PromSample s, String label) {
        String v = s == null ? null : s.label(label);
        if (v == null || v.isBlank()) {
            return List.of();
        }
        return Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }
}
