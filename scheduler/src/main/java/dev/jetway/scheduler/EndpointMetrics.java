package dev.jetway.scheduler;

/**
 * One immutable snapshot of what a model server reports on {@code /metrics} (llm-d's core metrics attributes).
 * The data layer builds a new snapshot per scrape and swaps it into the {@link Endpoint} atomically.
 *
 * @param waitingRequests {@code vllm:num_requests_waiting}
 * @param runningRequests {@code vllm:num_requests_running}
 * @param kvCacheUsage    {@code vllm:kv_cache_usage_perc}, 0..1
 * @param cacheBlockSize  tokens per KV block ({@code vllm:cache_config_info{block_size}}); 0 = unknown
 * @param cacheNumBlocks  GPU KV blocks ({@code vllm:cache_config_info{num_gpu_blocks}}); 0 = unknown
 * @param lora            LoRA state
 * @param updateTimeNanos when this snapshot was taken, on the scheduler's clock; {@link Long#MIN_VALUE} = never
 */
public record EndpointMetrics(
        int waitingRequests,
        int runningRequests,
        double kvCacheUsage,
        int cacheBlockSize,
        long cacheNumBlocks,
        LoraInfo lora,
        long updateTimeNanos) {

    /** The state of an endpoint never scraped: idle, empty, of unknown size, and stale. */
    public static final EndpointMetrics UNKNOWN = new EndpointMetrics(0, 0, 0.0, 0, 0, LoraInfo.NONE, Long.MIN_VALUE);

    public EndpointMetrics {
        if (waitingRequests < 0 || runningRequests < 0) {
            throw new IllegalArgumentException("request counts must not be negative");
        }
        kvCacheUsage = Double.isNaN(kvCacheUsage) ? 0.0 : Math.clamp(kvCacheUsage, 0.0, 1.0);
        lora = lora == null ? LoraInfo.NONE : lora;
    }

    /** Load-only snapshot, handy for tests and the simulator. */
    public static EndpointMetrics of(int waiting, int running, double kvCacheUsage, long updateTimeNanos) {
        return new EndpointMetrics(waiting, running, kvCacheUsage, 0, 0, LoraInfo.NONE, updateTimeNanos);
    }

    /** True when this snapshot is older than {@code thresholdNanos} at {@code nowNanos} (or was never taken). */
    public boolean isStale(long nowNanos, long thresholdNanos) {
        return updateTimeNanos == Long.MIN_VALUE || nowNanos - updateTimeNanos > thresholdNanos;
    }

    /** Copy with a different cache geometry. */
    public EndpointMetrics withCache(int blockSize, long numBlocks) {
        return new EndpointMetrics(waitingRequests, runningRequests, kvCacheUsage, blockSize, numBlocks, lora,
                updateTimeNanos);
    }

    /** Copy with a different LoRA state. */
    public EndpointMetrics withLora(LoraInfo lora) {
        return new EndpointMetrics(waitingRequests, runningRequests, kvCacheUsage, cacheBlockSize, cacheNumBlocks,
                lora, updateTimeNanos);
    }
}
