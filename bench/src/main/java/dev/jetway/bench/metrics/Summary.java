package dev.jetway.bench.metrics;

import java.util.Map;

/**
 * The numbers of one policy over one window (a stage or the whole run). Serialized in snake_case
 * ({@code ttftP90S} → {@code ttft_p90_s}); latencies in seconds, null when nothing was measured. The schema is
 * documented in docs/benchmarking.md and kept stable.
 *
 * <p>Latency statistics cover the requests scheduled in the window; throughputs count what happened inside it
 * (tokens received, requests completed), divided by its length, so a policy that falls behind shows lower throughput
 * instead of taking credit for work done after the load stopped.
 *
 * <p>{@code stageMeanOutputTokensPerS} (overall summary only, null per stage): the plain mean of the measured stages'
 * {@code outputTokensPerS}, which is how llm-d's benchmark reports aggregate throughput "across QPS".
 */
public record Summary(
        long requests, long completed, long failed, double successRate,
        double durationS, double requestsPerS, double outputTokensPerS, double inputTokensPerS,
        Double ttftMeanS, Double ttftP50S, Double ttftP90S, Double ttftP95S, Double ttftP99S,
        Double itlMeanS, Double itlP50S, Double itlP90S, Double itlP95S, Double itlP99S,
        Double tpotMeanS, Double tpotP50S, Double tpotP90S, Double tpotP95S, Double tpotP99S,
        Double e2eMeanS, Double e2eP50S, Double e2eP90S, Double e2eP95S, Double e2eP99S,
        double prefixHitRate, Double goodputRequestsPerS, Double sloAttainment, Double outputTokensPerDollar,
        Map<String, Long> errors, Double stageMeanOutputTokensPerS) {
}
