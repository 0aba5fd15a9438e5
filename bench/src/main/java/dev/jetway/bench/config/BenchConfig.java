package dev.jetway.bench.config;

import dev.jetway.bench.load.LoadProfile;
import dev.jetway.bench.workload.Workload;
import java.util.Map;

/**
 * A workload file: inference-perf's {@code load}, {@code api}, {@code server} and {@code data} sections, plus Jetway's
 * {@code cluster} (what {@code jetway simulate} models) and {@code published} (numbers to print next to ours).
 *
 * @param cluster   null when the file has no {@code cluster} section
 * @param published per policy name, metric name to value (e.g. {@code ttft_p90_s}); empty when absent
 */
public record BenchConfig(LoadProfile load, ApiType api, boolean streaming, String modelName, String baseUrl,
                          boolean ignoreEos, Workload workload, ClusterSpec cluster,
                          Map<String, Map<String, Double>> published) {
}
