package dev.jetway.bench.report;

import dev.jetway.bench.metrics.PolicyReport;
import java.util.List;
import java.util.Map;

/**
 * The document {@code jetway bench} and {@code jetway simulate} write as JSON (schema in docs/benchmarking.md).
 *
 * @param tool      {@code bench} (live) or {@code simulate}
 * @param workload  the workload type and file
 * @param settings  the run's parameters (target URL or replicas/profile, load, SLO, cost...), for provenance
 * @param policies  one entry per policy (simulate) or target (bench), in the order given
 * @param published numbers published elsewhere for the same workload, per policy, to compare against
 */
public record BenchReport(int schemaVersion, String tool, String workload, Map<String, Object> settings,
                          List<PolicyReport> policies, Map<String, Map<String, Double>> published) {

    public static final int SCHEMA_VERSION = 1;
}
