package dev.jetway.gateway.config;

import java.time.Duration;
import java.util.Map;

/**
 * llm-d's admission without flow control: a sheddable request (priority below 0) is refused with 429 while the
 * pool is saturated; everything else goes straight to scheduling.
 *
 * @param objectives                InferenceObjective name (request header {@code x-llm-d-inference-objective}) to
 *                                  priority; a missing or unknown objective is priority 0
 * @param queueDepthThreshold       waiting requests at which an endpoint counts as full (llm-d: 5)
 * @param kvCacheUtilThreshold      KV-cache usage at which an endpoint counts as full (llm-d: 0.8)
 * @param metricsStalenessThreshold older metrics count as full (llm-d's utilization detector: 200 ms)
 */
public record AdmissionSettings(Map<String, Integer> objectives, Integer queueDepthThreshold,
                                Double kvCacheUtilThreshold, Duration metricsStalenessThreshold) {

    public AdmissionSettings {
        objectives = objectives == null ? Map.of() : Map.copyOf(objectives);
        queueDepthThreshold = queueDepthThreshold == null ? 5 : queueDepthThreshold;
        kvCacheUtilThreshold = kvCacheUtilThreshold == null ? 0.8 : kvCacheUtilThreshold;
        metricsStalenessThreshold = metricsStalenessThreshold == null ? Duration.ofMillis(200)
                : metricsStalenessThreshold;
        ConfigChecks.positive("admission.queueDepthThreshold", queueDepthThreshold);
        if (!(kvCacheUtilThreshold > 0 && kvCacheUtilThreshold <= 1)) {
            throw new IllegalArgumentException("admission.kvCacheUtilThreshold must be in (0, 1], got "
                    + kvCacheUtilThreshold);
        }
        ConfigChecks.positive("admission.metricsStalenessThreshold", metricsStalenessThreshold);
    }

    public static AdmissionSettings defaults() {
        return new AdmissionSettings(null, null, null, null);
    }

    public AdmissionSettings withObjectives(Map<String, Integer> next) {
        return new AdmissionSettings(next, queueDepthThreshold, kvCacheUtilThreshold, metricsStalenessThreshold);
    }

    /** The priority of a request naming {@code objective} (null = none). */
    public int priorityOf(String objective) {
        return objective == null ? 0 : objectives.getOrDefault(objective, 0);
    }
}
