package dev.jetway.bench.report;

import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.ReplicaSummary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Replica profiles in reports: a heterogeneous pool (replicas on different hardware) is read per profile, so charts
 * label replicas with a short profile name and the Markdown report sums each profile's replicas.
 */
final class ReplicaProfiles {

    private ReplicaProfiles() {
    }

    /** Distinct profiles of the replicas, in replica order (empty when unknown, as in live benchmarks). */
    static Set<String> of(List<PolicyReport> policies) {
        Set<String> out = new LinkedHashSet<>();
        policies.forEach(p -> p.replicas().stream().map(ReplicaSummary::profile).filter(Objects::nonNull).forEach(out::add));
        return out;
    }

    static boolean heterogeneous(List<PolicyReport> policies) {
        return of(policies).size() > 1;
    }

    /**
     * Profile names without the dash-separated words they all start with: {@code qwen3-32b-h100-tp2} and
     * {@code qwen3-32b-a100-tp2} become {@code h100-tp2} and {@code a100-tp2}.
     */
    static Map<String, String> shortNames(Collection<String> profiles) {
        List<String[]> words = profiles.stream().map(p -> p.split("-")).toList();
        int common = 0;
        if (words.size() > 1) {
            int min = words.stream().mapToInt(w -> w.length).min().orElse(0);
            while (common < min - 1) {
                String w = words.getFirst()[common];
                final int at = common;
                if (!words.stream().allMatch(x -> x[at].equals(w))) {
                    break;
                }
                common++;
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String[] w : words) {
            out.put(String.join("-", w), String.join("-", Arrays.copyOfRange(w, common, w.length)));
        }
        return out;
    }

    /** The Markdown section summing each profile's replicas per policy; empty for a uniform pool. */
    static String markdown(List<PolicyReport> policies) {
        if (!heterogeneous(policies)) {
            return "";
        }
        StringBuilder md = new StringBuilder("\n### Per replica profile\n\n");
        md.append("Replicas of each profile summed (requests) or averaged over the profile's replicas (the rest).\n\n");
        md.append("| policy | profile | replicas | requests | share of requests | prefix hit | queue mean | running mean "
                + "| KV usage mean |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (PolicyReport p : policies) {
            long total = p.replicas().stream().mapToLong(ReplicaSummary::requests).sum();
            Map<String, List<ReplicaSummary>> byProfile = new LinkedHashMap<>();
            p.replicas().forEach(r -> byProfile.computeIfAbsent(String.valueOf(r.profile()), k -> new ArrayList<>()).add(r));
            byProfile.forEach((profile, rs) -> {
                long requests = rs.stream().mapToLong(ReplicaSummary::requests).sum();
                md.append("| ").append(p.policy()).append(" | ").append(profile).append(" | ").append(rs.size())
                        .append(" | ").append(requests).append(" | ")
                        .append(MarkdownReport.fmt("%.1f%%", total == 0 ? 0.0 : 100.0 * requests / total)).append(" | ")
                        .append(MarkdownReport.fmt("%.1f%%", 100 * rs.stream().mapToDouble(ReplicaSummary::prefixHitRate)
                                .average().orElse(0))).append(" | ")
                        .append(mean(rs, ReplicaSummary::queueMean)).append(" | ")
                        .append(mean(rs, ReplicaSummary::runningMean)).append(" | ")
                        .append(mean(rs, ReplicaSummary::kvUsageMean)).append(" |\n");
            });
        }
        return md.toString();
    }

    private static String mean(List<ReplicaSummary> rs, Function<ReplicaSummary, Double> metric) {
        double[] v = rs.stream().map(metric).filter(Objects::nonNull).mapToDouble(Double::doubleValue).toArray();
        return v.length == 0 ? "–" : MarkdownReport.fmt("%.2f", Arrays.stream(v).average().orElse(0));
    }
}
