package dev.jetway.gateway.datalayer;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Turns a vLLM {@code /metrics} page into {@link ScrapedMetrics} (llm-d's core metrics extractor, vLLM column). */
public final class VllmMetricsExtractor {

    static final String WAITING = "vllm:num_requests_waiting";
    static final String RUNNING = "vllm:num_requests_running";
    static final String KV_USAGE = "vllm:kv_cache_usage_perc";
    static final String KV_USAGE_OLD = "vllm:gpu_cache_usage_perc";
    static final String CACHE_CONFIG = "vllm:cache_config_info";
    static final String LORA_INFO = "vllm:lora_requests_info";

    private static final Set<String> WANTED = Set.of(WAITING, RUNNING, KV_USAGE, KV_USAGE_OLD, CACHE_CONFIG, LORA_INFO);

    private VllmMetricsExtractor() {
    }

    public static ScrapedMetrics extract(CharSequence page) {
        double waiting = -1;
        double running = -1;
        double kv = Double.NaN;
        double kvOld = Double.NaN;
        int blockSize = -1;
        int blocks = -1;
        PromSample latestLora = null;
        for (PromSample s : PrometheusTextParser.parse(page, WANTED)) {
            switch (s.name()) {
                // data-parallel engines export one series per rank: the endpoint's load is their sum
                case WAITING -> waiting = Math.max(waiting, 0) + s.value();
                case RUNNING -> running = Math.max(running, 0) + s.value();
                case KV_USAGE -> kv = Double.isNaN(kv) ? s.value() : Math.max(kv, s.value());
                case KV_USAGE_OLD -> kvOld = Double.isNaN(kvOld) ? s.value() : Math.max(kvOld, s.value());
                case CACHE_CONFIG -> {
                    blockSize = intLabel(s, "block_size", blockSize);
                    blocks = intLabel(s, "num_gpu_blocks", blocks);
                }
                case LORA_INFO -> {
                    // the value is the series' last-update time: the newest series is the current state
                    if (latestLora == null || s.value() > latestLora.value()) {
                        latestLora = s;
                    }
                }
                default -> {
                }
            }
        }
        int maxLora = latestLora == null ? -1 : intLabel(latestLora, "max_lora", -1);
        return new ScrapedMetrics((int) waiting, (int) running, Double.isNaN(kv) ? kvOld : kv, blockSize, blocks,
                maxLora, loraList(latestLora, "running_lora_adapters"), loraList(latestLora, "waiting_lora_adapters"));
    }

    private static int intLabel(PromSample s, String label, int fallback) {
        String v = s.label(label);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return (int) Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static List<String> loraList(PromSample s, String label) {
        if (s == null) {
            return List.of();
        }
        String v = s.label(label);
        if (v == null || v.isBlank()) {
            return List.of();
        }
        return Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }
}
