package dev.jetway.bench.metrics;

import java.util.List;
import java.util.Map;

/**
 * The traffic classes of one priority pooled (e.g. both tenants' critical requests), as flow control's priority
 * bands see them, with how the band's service was shared between its tenants.
 *
 * @param objectives             the InferenceObjective names of this priority
 * @param classes                the traffic classes pooled
 * @param tenantOutputTokensPerS each tenant's output tokens/s of completed requests at this priority
 * @param tenantMinMaxRatio      the smallest tenant's output tokens/s over the largest's (1 = equal service); null
 *                               with fewer than two tenants or when none was served
 */
public record PrioritySummary(int priority, List<String> objectives, List<String> classes, long requests,
                              long completed, long failed, Map<String, Long> failedByStatus,
                              Map<String, Long> droppedReasons, Double ttftP50S, Double ttftP90S, Double ttftP99S,
                              Double ttftMaxS, Double e2eP90S, double outputTokensPerS, Double timeToFailureMaxS,
                              Map<String, Double> tenantOutputTokensPerS, Double tenantMinMaxRatio) {

    public PrioritySummary {
        objectives = List.copyOf(objectives);
        classes = List.copyOf(classes);
        failedByStatus = Map.copyOf(failedByStatus);
        droppedReasons = Map.copyOf(droppedReasons);
        tenantOutputTokensPerS = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tenantOutputTokensPerS));
    }
}
