package dev.jetway.gateway.datalayer;

import java.util.List;

/**
 * The model-server signals routing uses, as read from one {@code /metrics} page (vLLM names). Missing signals are
 * -1 (counts) or NaN (usage), never invented.
 */
public record ScrapedMetrics(int waiting, int running, double kvCacheUsage, int blockSize, int numGpuBlocks,
                             int maxLora, List<String> runningLoras, List<String> waitingLoras) {
}
