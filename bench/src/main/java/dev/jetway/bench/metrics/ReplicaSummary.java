package dev.jetway.bench.metrics;

/**
 * One replica over the run: requests routed to it, its token-weighted prefix-cache hit rate, and its queue
 * ({@code num_requests_waiting}), running count and KV-cache usage (0..1) sampled at every metrics scrape.
 *
 * @param profile the replica's engine profile (simulation; in a heterogeneous pool replicas differ), null when unknown
 */
public record ReplicaSummary(int replica, long requests, double prefixHitRate, Double queueMean, Double queueP90,
                             Double queueMax, Double runningMean, Double kvUsageMean, Double kvUsageP90,
                             Double kvUsageMax, String profile) {

    /** The same numbers under another replica index. */
    public ReplicaSummary withReplica(int value) {
        return new ReplicaSummary(value, requests, prefixHitRate, queueMean, queueP90, queueMax, runningMean,
                kvUsageMean, kvUsageP90, kvUsageMax, profile);
    }

    public ReplicaSummary withProfile(String value) {
        return new ReplicaSummary(replica, requests, prefixHitRate, queueMean, queueP90, queueMax, runningMean,
                kvUsageMean, kvUsageP90, kvUsageMax, value);
    }
}
