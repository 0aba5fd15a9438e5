package dev.jetway.bench.metrics;

import java.util.Map;

/**
 * What one traffic class got over a window (a stage or the measured run). Latencies are the completed requests',
 * in seconds, null when none completed; serialized in snake_case like {@link Summary}.
 *
 * @param tenant             the fairness id its requests carry ({@code default-flow} when they carry none)
 * @param objective          the InferenceObjective its requests name, or null
 * @param priority           the objective's priority (as the workload states it for the simulator)
 * @param failedByStatus     failed requests by the HTTP status answered ({@code "429"}, {@code "503"}, ...); failures
 *                           without an error status (timeouts, refused connections, a stream broken after its 200)
 *                           under {@code "none"}
 * @param droppedReasons     failed requests by the {@code x-llm-d-request-dropped-reason} the gateway gave
 * @param ttftMaxS           the longest time to first token of a completed request
 * @param outputTokensPerS   output tokens of the completed requests over the window's length
 * @param timeToFailureMaxS  the longest time from a failed request's planned send to its failure (e.g. how long a
 *                           shed request waited for its 429); null when none failed
 */
public record ClassSummary(String name, String tenant, String objective, int priority, long requests, long completed,
                           long failed, Map<String, Long> failedByStatus, Map<String, Long> droppedReasons,
                           Double ttftP50S, Double ttftP90S, Double ttftP99S, Double ttftMaxS, Double e2eP50S,
                           Double e2eP90S, Double e2eP99S, double outputTokensPerS, Double timeToFailureMaxS) {

    public ClassSummary {
        failedByStatus = Map.copyOf(failedByStatus);
        droppedReasons = Map.copyOf(droppedReasons);
    }
}
