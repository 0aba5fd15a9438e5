package dev.jetway.bench.config;

import dev.jetway.bench.load.LoadProfile;
import dev.jetway.bench.traffic.TrafficMix;
import dev.jetway.bench.workload.Workload;
import java.util.Map;
import java.util.Objects;

/**
 * A workload file: inference-perf's {@code load}, {@code api}, {@code server} and {@code data} sections, plus Jetway's
 * {@code cluster} (what {@code jetway simulate} models), {@code published} (numbers to print next to ours) and
 * {@code traffic} (classes of senders: tenants, objectives, priorities).
 *
 * @param cluster   null when the file has no {@code cluster} section
 * @param published per policy name, metric name to value (e.g. {@code ttft_p90_s}); empty when absent
 * @param traffic   the traffic classes; {@link TrafficMix#NONE} when the file has no {@code traffic} section
 */
public record BenchConfig(LoadProfile load, ApiType api, boolean streaming, String modelName, String baseUrl,
                          boolean ignoreEos, Workload workload, ClusterSpec cluster,
                          Map<String, Map<String, Double>> published, TrafficMix traffic) {

    public BenchConfig {
        Objects.requireNonNull(traffic, "traffic");
    }

    /** A workload without traffic classes. */
    public BenchConfig(LoadProfile load, ApiType api, boolean streaming, String modelName, String baseUrl,
                       boolean ignoreEos, Workload workload, ClusterSpec cluster,
                       Map<String, Map<String, Double>> published) {
        this(load, api, streaming, modelName, baseUrl, ignoreEos, workload, cluster, published, TrafficMix.NONE);
    }
}
