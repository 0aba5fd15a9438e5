package dev.jetway.sim.metrics;

import dev.jetway.engine.Completion;
import dev.jetway.engine.EngineStats;
import dev.jetway.sim.loop.EngineLoop;

import java.util.Locale;

/**
 * Renders {@code /metrics} in the Prometheus text format (0.0.4) with vLLM's exact metric names, labels and
 * buckets. Written by hand rather than with Micrometer because Micrometer's Prometheus naming convention rewrites
 * the {@code vllm:} prefix and the names must match what llm-d's scrapers look for, byte for byte.
 */
public final class PrometheusText {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final String labels;
    private final int maxLoras;

    public PrometheusText(String modelName, int maxLoras) {
        this.maxLoras = maxLoras;
        this.labels = "engine=\"0\",model_name=\"" + escape(modelName) + "\"";
    }

    public String render(EngineLoop.Snapshot snapshot, SimMetrics metrics, long nowEpochMillis) {
        EngineStats stats = snapshot.stats();
        StringBuilder out = new StringBuilder(16_384);
        gauge(out, "vllm:num_requests_running", "Number of requests in model execution batches.", stats.running());
        gauge(out, "vllm:num_requests_waiting", "Number of requests waiting to be processed.",
                stats.waiting() + snapshot.heldForLora());
        gauge(out, "vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", stats.kvCacheUsage());

        header(out, "vllm:cache_config_info", "Information of the LLMEngine CacheConfig", "gauge");
        out.append("vllm:cache_config_info{block_size=\"").append(stats.blockSize())
                .append("\",cache_dtype=\"auto\",enable_prefix_caching=\"True\",engine=\"0\",num_cpu_blocks=\"0\""
                        + ",num_gpu_blocks=\"").append(stats.numGpuBlocks()).append("\"} 1.0\n");

        header(out, "vllm:lora_requests_info", "Running stats on lora requests.", "gauge");
        out.append("vllm:lora_requests_info{max_lora=\"").append(maxLoras)
                .append("\",running_lora_adapters=\"").append(escape(snapshot.runningLoras()))
                .append("\",waiting_lora_adapters=\"").append(escape(snapshot.waitingLoras())).append("\"} ")
                .append(number(nowEpochMillis / 1000.0)).append('\n');

        counter(out, "vllm:num_preemptions_total", "Cumulative number of preemption from the engine.",
                stats.preemptions());
        counter(out, "vllm:prompt_tokens_total", "Number of prefill tokens processed.", stats.promptTokens());
        counter(out, "vllm:generation_tokens_total", "Number of generation tokens processed.",
                stats.generationTokens());
        counter(out, "vllm:prefix_cache_queries_total",
                "Prefix cache queries, in terms of number of queried tokens.", stats.prefixCacheQueries());
        counter(out, "vllm:prefix_cache_hits_total", "Prefix cache hits, in terms of number of cached tokens.",
                stats.prefixCacheHits());

        header(out, "vllm:request_success_total", "Count of successfully processed requests.", "counter");
        for (Completion.FinishReason reason : Completion.FinishReason.values()) {
            out.append("vllm:request_success_total{").append(labels).append(",finished_reason=\"")
                    .append(reason.wire()).append("\"} ").append(number(metrics.finished(reason))).append('\n');
        }

        histogram(out, "vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.",
                metrics.timeToFirstToken);
        histogram(out, "vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.",
                metrics.interTokenLatency);
        histogram(out, "vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.",
                metrics.e2eLatency);
        histogram(out, "vllm:request_queue_time_seconds",
                "Histogram of time spent in WAITING phase for request.", metrics.queueTime);
        return out.toString();
    }

    private void gauge(StringBuilder out, String name, String help, double value) {
        header(out, name, help, "gauge");
        out.append(name).append('{').append(labels).append("} ").append(number(value)).append('\n');
    }

    private void counter(StringBuilder out, String name, String help, long value) {
        header(out, name, help, "counter");
        out.append(name).append('{').append(labels).append("} ").append(number(value)).append('\n');
    }

    private void histogram(StringBuilder out, String name, String help, Histogram histogram) {
        header(out, name, help, "histogram");
        double[] bounds = histogram.bounds();
        long[] cumulative = histogram.cumulativeCounts();
        for (int i = 0; i < bounds.length; i++) {
            bucket(out, name, number(bounds[i]), cumulative[i]);
        }
        long total = cumulative[cumulative.length - 1];
        bucket(out, name, "+Inf", total);
        out.append(name).append("_count{").append(labels).append("} ").append(number(total)).append('\n');
        out.append(name).append("_sum{").append(labels).append("} ").append(number(histogram.sum())).append('\n');
    }

    private void bucket(StringBuilder out, String name, String le, long count) {
        out.append(name).append("_bucket{").append(labels).append(",le=\"").append(le).append("\"} ")
                .append(number(count)).append('\n');
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** Python's float formatting as prometheus_client prints it: {@code 3.0}, {@code 0.25}. */
    static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return Double.toString(value);
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
