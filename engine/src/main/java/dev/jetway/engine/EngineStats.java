package dev.jetway.engine;

/**
 * A snapshot of an engine's state, in the terms of vLLM's metrics.
 *
 * @param running              {@code vllm:num_requests_running}
 * @param waiting              {@code vllm:num_requests_waiting}
 * @param kvCacheUsage         {@code vllm:kv_cache_usage_perc}, 0..1: blocks in use by requests / all blocks
 * @param blockSize            tokens per block ({@code vllm:cache_config_info{block_size}})
 * @param numGpuBlocks         blocks in the cache ({@code vllm:cache_config_info{num_gpu_blocks}})
 * @param prefixCacheQueries   {@code vllm:prefix_cache_queries_total} (tokens)
 * @param prefixCacheHits      {@code vllm:prefix_cache_hits_total} (tokens)
 * @param promptTokens         {@code vllm:prompt_tokens_total}
 * @param generationTokens     {@code vllm:generation_tokens_total}
 * @param preemptions          {@code vllm:num_preemptions_total}
 */
public record EngineStats(int running, int waiting, double kvCacheUsage, int blockSize, int numGpuBlocks,
                          long prefixCacheQueries, long prefixCacheHits, long promptTokens, long generationTokens,
                          long preemptions) {
}
