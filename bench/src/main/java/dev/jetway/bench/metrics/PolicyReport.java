package dev.jetway.bench.metrics;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;

/**
 * Everything measured for one policy (or, for a live benchmark, one target): overall summary (warm-up excluded), per
 * stage, per replica (when replicas are visible: always in simulation) and the TTFT distribution for charts, plus
 * the stages summarised the way llm-d's reports do ({@link #acrossStages()}). For a workload with traffic classes,
 * the measured stages per class, priority and tenant ({@code classes}, {@code priorities}, {@code tenants}; the
 * fields are absent otherwise). For runs that compare P/D splits with aggregated pools, the pool it ran on
 * ({@code pool}: groups, GPUs, output per GPU, the P/D decisions and leg times; absent otherwise). For runs with
 * several gateway replicas, how they agreed with a single gateway ({@code gateways}; absent otherwise).
 */
public record PolicyReport(String policy, Summary summary, List<StageSummary> stages, List<ReplicaSummary> replicas,
                           List<CdfPoint> ttftCdf, @JsonProperty("latency_model") LatencyModelReport latencyModel,
                           @JsonUnwrapped TrafficReport traffic,
                           @JsonInclude(JsonInclude.Include.NON_NULL) PoolReport pool,
                           @JsonInclude(JsonInclude.Include.NON_NULL) GatewayReport gateways) {

    public PolicyReport(String policy, Summary summary, List<StageSummary> stages, List<ReplicaSummary> replicas,
                        List<CdfPoint> ttftCdf, LatencyModelReport latencyModel, TrafficReport traffic,
                        PoolReport pool) {
        this(policy, summary, stages, replicas, ttftCdf, latencyModel, traffic, pool, null);
    }

    public PolicyReport(String policy, Summary summary, List<StageSummary> stages, List<ReplicaSummary> replicas,
                        List<CdfPoint> ttftCdf) {
        this(policy, summary, stages, replicas, ttftCdf, null, null, null);
    }

    public PolicyReport(String policy, Summary summary, List<StageSummary> stages, List<ReplicaSummary> replicas,
                        List<CdfPoint> ttftCdf, LatencyModelReport latencyModel) {
        this(policy, summary, stages, replicas, ttftCdf, latencyModel, null, null);
    }

    public PolicyReport(String policy, Summary summary, List<StageSummary> stages, List<ReplicaSummary> replicas,
                        List<CdfPoint> ttftCdf, LatencyModelReport latencyModel, TrafficReport traffic) {
        this(policy, summary, stages, replicas, ttftCdf, latencyModel, traffic, null);
    }

    /** A copy with the policy's latency-model errors. */
    public PolicyReport withLatencyModel(LatencyModelReport report) {
        return new PolicyReport(policy, summary, stages, replicas, ttftCdf, report, traffic, pool, gateways);
    }

    /** A copy under another name (e.g. with the replica count appended). */
    public PolicyReport named(String name) {
        return new PolicyReport(name, summary, stages, replicas, ttftCdf, latencyModel, traffic, pool, gateways);
    }

    /** The same report with other replica rows (e.g. with their profiles). */
    public PolicyReport withReplicas(List<ReplicaSummary> value) {
        return new PolicyReport(policy, summary, stages, value, ttftCdf, latencyModel, traffic, pool, gateways);
    }

    /** A copy with the pool it ran on. */
    public PolicyReport withPool(PoolReport value) {
        return new PolicyReport(policy, summary, stages, replicas, ttftCdf, latencyModel, traffic, value, gateways);
    }

    /** A copy with how its gateway replicas agreed with a single gateway. */
    public PolicyReport withGateways(GatewayReport value) {
        return new PolicyReport(policy, summary, stages, replicas, ttftCdf, latencyModel, traffic, pool, value);
    }

    /** The stages summarised as llm-d's reports do, for comparison with their published tables. */
    @JsonProperty("across_stages")
    public AcrossStages acrossStages() {
        return AcrossStages.of(stages);
    }
}
