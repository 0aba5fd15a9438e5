package dev.jetway.gateway.datalayer;

import java.util.List;

/**
 * The model-server signals routing uses, as read from one endpoint's {@code /metrics} page by its engine's adapter
 * ({@link dev.jetway.gateway.datalayer.engines.EngineAdapter}). Missing signals are -1 (counts) or NaN (usage), never
 * invented.
 *
 * @param blockSize    tokens per KV block; engines that cache per token (llama.cpp) or report only a token capacity
 *                     report 1
 * @param numGpuBlocks KV blocks of {@code blockSize} the engine can hold
 */
public record ScrapedMetrics(int waiting, int running, double kvCacheUsage, int blockSize, int numGpuBlocks,
                             int maxLora, List<String> runningLoras, List<String> waitingLoras) {

    /** Signals without LoRA state. */
    public static ScrapedMetrics of(int waiting, int running, double kvCacheUsage, int blockSize, int numGpuBlocks) {
        return new ScrapedMetrics(waiting, running, kvCacheUsage, blockSize, numGpuBlocks, -1, List.of(), List.of());
    }

    /** A copy with KV usage and geometry filled in from elsewhere (a status page). */
    public ScrapedMetrics withKv(double usage, int blockSize, int numGpuBlocks) {
        return new ScrapedMetrics(waiting, running, usage, blockSize, numGpuBlocks, maxLora, runningLoras,
                waitingLoras);
    }
}
