package dev.jetway.bench.metrics;

import dev.jetway.bench.traffic.TrafficClass;
import dev.jetway.scheduler.InferenceRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A run (or a stage) per traffic class, per priority and per tenant: what issue 14's overload benchmark reads
 * (critical TTFT, sheddable 429s, waits, fairness between tenants of equal priority). Present only for workloads
 * with a {@code traffic} section; its fields then sit next to the summary's in the JSON report.
 *
 * @param classes    one entry per class, in the workload's order
 * @param priorities one entry per priority, highest first
 * @param tenants    one entry per tenant, in order of first appearance
 */
public record TrafficReport(List<ClassSummary> classes, List<PrioritySummary> priorities,
                            List<TenantSummary> tenants) {

    public TrafficReport {
        classes = List.copyOf(classes);
        priorities = List.copyOf(priorities);
        tenants = List.copyOf(tenants);
    }

    /** The tallies of {@code classes} (same order) over a window of {@code seconds}. */
    static TrafficReport of(List<TrafficClass> classes, ClassTally[] tallies, double seconds) {
        double perS = seconds > 0 ? 1 / seconds : 0;
        List<ClassSummary> out = new ArrayList<>();
        Map<Integer, List<Integer>> byPriority = new TreeMap<>(Comparator.reverseOrder());
        Map<String, ClassTally> byTenant = new LinkedHashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            TrafficClass c = classes.get(i);
            ClassTally t = tallies[i];
            out.add(new ClassSummary(c.name(), tenantOf(c), c.objective(), c.priority(), t.requests, t.completed,
                    t.failed, t.failedByStatus, t.droppedReasons, t.ttft.percentile(50), t.ttft.percentile(90),
                    t.ttft.percentile(99), t.ttft.max(), t.e2e.percentile(50), t.e2e.percentile(90),
                    t.e2e.percentile(99), t.outputTokens * perS, seconds(t.failureNanosMax)));
            byPriority.computeIfAbsent(c.priority(), k -> new ArrayList<>()).add(i);
            byTenant.computeIfAbsent(tenantOf(c), k -> new ClassTally()).add(t);
        }
        List<PrioritySummary> priorities = new ArrayList<>();
        byPriority.forEach((priority, members) -> priorities.add(priority(priority, members, classes, tallies, perS)));
        List<TenantSummary> tenants = new ArrayList<>();
        byTenant.forEach((tenant, t) -> tenants.add(new TenantSummary(tenant, t.requests, t.completed, t.failed,
                t.outputTokens * perS)));
        return new TrafficReport(out, priorities, tenants);
    }

    private static PrioritySummary priority(int priority, List<Integer> members, List<TrafficClass> classes,
                                            ClassTally[] tallies, double perS) {
        ClassTally pooled = new ClassTally();
        Set<String> objectives = new LinkedHashSet<>();
        List<String> names = new ArrayList<>();
        Map<String, Double> tenantTokens = new LinkedHashMap<>();
        for (int i : members) {
            TrafficClass c = classes.get(i);
            pooled.add(tallies[i]);
            if (c.objective() != null) {
                objectives.add(c.objective());
            }
            names.add(c.name());
            tenantTokens.merge(tenantOf(c), tallies[i].outputTokens * perS, Double::sum);
        }
        return new PrioritySummary(priority, List.copyOf(objectives), names, pooled.requests, pooled.completed,
                pooled.failed, pooled.failedByStatus, pooled.droppedReasons, pooled.ttft.percentile(50),
                pooled.ttft.percentile(90), pooled.ttft.percentile(99), pooled.ttft.max(), pooled.e2e.percentile(90),
                pooled.outputTokens * perS, seconds(pooled.failureNanosMax), tenantTokens, minMaxRatio(tenantTokens));
    }

    /** Smallest over largest; null with fewer than two tenants or nothing served. */
    static Double minMaxRatio(Map<String, Double> perTenant) {
        if (perTenant.size() < 2) {
            return null;
        }
        double min = perTenant.values().stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = perTenant.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return max > 0 ? min / max : null;
    }

    /** The fairness id the gateway files the class's requests under. */
    private static String tenantOf(TrafficClass c) {
        return c.tenant() != null ? c.tenant() : InferenceRequest.DEFAULT_FAIRNESS_ID;
    }

    private static Double seconds(long nanos) {
        return nanos < 0 ? null : nanos / 1e9;
    }
}
