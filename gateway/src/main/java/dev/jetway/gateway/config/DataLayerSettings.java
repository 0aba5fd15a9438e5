package dev.jetway.gateway.config;

import java.time.Duration;

/**
 * How endpoint state is collected.
 *
 * @param metricsPath           path of the model servers' Prometheus page; null: the engine's own ({@code /metrics},
 *                              trtllm-serve {@code /prometheus/metrics})
 * @param scrapeInterval        time between two scrapes of one endpoint (llm-d: 50 ms)
 * @param scrapeTimeout         one scrape's deadline
 * @param stalenessThreshold    metrics older than this make the endpoint count as saturated (llm-d: 2 s)
 * @param unreadyAfterFailures  consecutive scrape failures that take an endpoint out of rotation
 * @param modelsRefreshInterval how often each endpoint's {@code /v1/models} is read (for LoRA adapters and listing)
 */
public record DataLayerSettings(String metricsPath, Duration scrapeInterval, Duration scrapeTimeout,
                                Duration stalenessThreshold, Integer unreadyAfterFailures,
                                Duration modelsRefreshInterval) {

    public DataLayerSettings {
        scrapeInterval = scrapeInterval == null ? Duration.ofMillis(50) : scrapeInterval;
        scrapeTimeout = scrapeTimeout == null ? Duration.ofSeconds(1) : scrapeTimeout;
        stalenessThreshold = stalenessThreshold == null ? Duration.ofSeconds(2) : stalenessThreshold;
        unreadyAfterFailures = unreadyAfterFailures == null ? 3 : unreadyAfterFailures;
        modelsRefreshInterval = modelsRefreshInterval == null ? Duration.ofSeconds(5) : modelsRefreshInterval;
        if (metricsPath != null && !metricsPath.startsWith("/")) {
            throw new IllegalArgumentException("dataLayer.metricsPath must start with /: " + metricsPath);
        }
        ConfigChecks.positive("dataLayer.scrapeInterval", scrapeInterval);
        ConfigChecks.positive("dataLayer.scrapeTimeout", scrapeTimeout);
        ConfigChecks.positive("dataLayer.stalenessThreshold", stalenessThreshold);
        ConfigChecks.positive("dataLayer.unreadyAfterFailures", unreadyAfterFailures);
        ConfigChecks.positive("dataLayer.modelsRefreshInterval", modelsRefreshInterval);
    }

    public static DataLayerSettings defaults() {
        return new DataLayerSettings(null, null, null, null, null, null);
    }
}
