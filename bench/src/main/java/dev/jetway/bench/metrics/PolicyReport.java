package dev.jetway.bench.metrics;

import java.util.List;

/**
 * Everything measured for one policy (or, for a live benchmark, one target): overall summary (warm-up excluded), per
 * stage, per replica (when replicas are visible: always in simulation) and the TTFT distribution for charts.
 */
public record PolicyReport(String policy, Summary summary, List<StageSummary> stages, List<ReplicaSummary> replicas,
                           List<CdfPoint> ttftCdf) {
}
