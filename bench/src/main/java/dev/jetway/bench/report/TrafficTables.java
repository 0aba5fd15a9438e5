package dev.jetway.bench.report;

import dev.jetway.bench.metrics.ClassSummary;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.PrioritySummary;
import dev.jetway.bench.metrics.StageSummary;
import dev.jetway.bench.metrics.TenantSummary;
import dev.jetway.bench.metrics.TrafficReport;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Markdown sections of a run with traffic classes: per class over the measured stages, per priority (per stage
 * when there are several, so a baseline stage and an overload stage sit side by side) with each tenant's share of
 * the service, and each tenant's output. Empty for runs without classes.
 */
final class TrafficTables {

    private TrafficTables() {
    }

    static String markdown(List<PolicyReport> policies) {
        if (policies.stream().allMatch(p -> p.traffic() == null)) {
            return "";
        }
        StringBuilder md = new StringBuilder();
        appendClasses(policies, md);
        appendPriorities(policies, md);
        appendTenants(policies, md);
        return md.toString();
    }

    private static void appendClasses(List<PolicyReport> policies, StringBuilder md) {
        md.append("\n### Per traffic class\n\n");
        md.append("Over the measured stages. Latencies of the completed requests; failed by HTTP status (none: a "
                + "timeout or connection error), with the gateway's x-llm-d-request-dropped-reason.\n\n");
        md.append("| policy | class | tenant | objective | priority | requests | completed | failed | dropped reasons "
                + "| TTFT p50 (s) | TTFT p90 (s) | TTFT p99 (s) | TTFT max (s) | E2E p90 (s) | output tok/s |\n");
        md.append("|---|---|---|---|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (PolicyReport p : policies) {
            if (p.traffic() == null) {
                continue;
            }
            for (ClassSummary c : p.traffic().classes()) {
                md.append("| ").append(p.policy()).append(" | ").append(c.name()).append(" | ").append(c.tenant())
                        .append(" | ").append(c.objective() == null ? "–" : c.objective()).append(" | ")
                        .append(c.priority()).append(" | ").append(c.requests()).append(" | ").append(c.completed())
                        .append(" | ").append(counts(c.failedByStatus())).append(" | ")
                        .append(counts(c.droppedReasons())).append(" | ").append(MarkdownReport.sec(c.ttftP50S()))
                        .append(" | ").append(MarkdownReport.sec(c.ttftP90S())).append(" | ")
                        .append(MarkdownReport.sec(c.ttftP99S())).append(" | ").append(MarkdownReport.sec(c.ttftMaxS()))
                        .append(" | ").append(MarkdownReport.sec(c.e2eP90S())).append(" | ")
                        .append(MarkdownReport.fmt("%.0f", c.outputTokensPerS())).append(" |\n");
            }
        }
    }

    private static void appendPriorities(List<PolicyReport> policies, StringBuilder md) {
        boolean perStage = policies.stream().anyMatch(p -> p.stages().size() > 1);
        md.append("\n### Per priority").append(perStage ? ", per stage" : "").append("\n\n");
        md.append("Each priority's classes pooled (both tenants' critical requests, ...).");
        if (perStage) {
            md.append(" \"vs stage 0\": TTFT p90 over the same priority's in stage 0 (with an unloaded first stage: "
                    + "loaded over unloaded).");
        }
        md.append(" \"waited to fail\": the longest a failed request waited for its answer. Tenants: output tok/s of "
                + "each tenant's completed requests at that priority; min/max: the smallest over the largest (1.00 = "
                + "equal service).\n\n");
        md.append("| policy |").append(perStage ? " stage |" : "").append(" priority | objectives | requests | completed "
                + "| failed | TTFT p50 (s) | TTFT p90 (s) |").append(perStage ? " vs stage 0 |" : "")
                .append(" TTFT max (s) | waited to fail (s) | output tok/s by tenant | tenant min/max |\n");
        md.append("|---|").append(perStage ? "---|" : "").append("---:|---|---:|---:|---|---:|---:|")
                .append(perStage ? "---:|" : "").append("---:|---:|---|---:|\n");
        for (PolicyReport p : policies) {
            if (p.traffic() == null) {
                continue;
            }
            if (!perStage) {
                for (PrioritySummary s : p.traffic().priorities()) {
                    appendPriority(md, p.policy(), null, s, null);
                }
                continue;
            }
            TrafficReport first = p.stages().getFirst().traffic();
            for (StageSummary stage : p.stages()) {
                String label = stage.stage() + (stage.warmup() ? " (warm-up)" : "");
                for (PrioritySummary s : stage.traffic().priorities()) {
                    PrioritySummary base = first.priorities().stream().filter(b -> b.priority() == s.priority())
                            .findFirst().orElse(null);
                    appendPriority(md, p.policy(), label, s, base);
                }
            }
        }
    }

    private static void appendPriority(StringBuilder md, String policy, String stage, PrioritySummary s,
                                       PrioritySummary base) {
        md.append("| ").append(policy).append(" | ");
        if (stage != null) {
            md.append(stage).append(" | ");
        }
        md.append(s.priority()).append(" | ").append(s.objectives().isEmpty() ? "–" : String.join(", ", s.objectives()))
                .append(" | ").append(s.requests()).append(" | ").append(s.completed()).append(" | ")
                .append(counts(s.failedByStatus())).append(" | ").append(MarkdownReport.sec(s.ttftP50S())).append(" | ")
                .append(MarkdownReport.sec(s.ttftP90S())).append(" | ");
        if (stage != null) {
            md.append(ratio(s.ttftP90S(), base == null ? null : base.ttftP90S())).append(" | ");
        }
        md.append(MarkdownReport.sec(s.ttftMaxS())).append(" | ").append(MarkdownReport.sec(s.timeToFailureMaxS()))
                .append(" | ").append(s.tenantOutputTokensPerS().entrySet().stream()
                        .map(e -> e.getKey() + " " + MarkdownReport.fmt("%.0f", e.getValue()))
                        .collect(Collectors.joining(", "))).append(" | ")
                .append(s.tenantMinMaxRatio() == null ? "–" : MarkdownReport.fmt("%.2f", s.tenantMinMaxRatio()))
                .append(" |\n");
    }

    private static void appendTenants(List<PolicyReport> policies, StringBuilder md) {
        md.append("\nPer tenant, output tok/s of completed requests over the measured stages (requests completed / "
                + "sent):\n\n");
        for (PolicyReport p : policies) {
            if (p.traffic() == null) {
                continue;
            }
            md.append("- ").append(p.policy()).append(": ");
            List<TenantSummary> tenants = p.traffic().tenants();
            md.append(tenants.stream().map(t -> t.tenant() + " " + MarkdownReport.fmt("%.0f", t.outputTokensPerS())
                    + " (" + t.completed() + " / " + t.requests() + ")").collect(Collectors.joining(", ")));
            md.append('\n');
        }
    }

    /** {@code 429: 120, 503: 2}, or 0 when empty. */
    private static String counts(Map<String, Long> byKey) {
        if (byKey.isEmpty()) {
            return "0";
        }
        return new java.util.TreeMap<>(byKey).entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static String ratio(Double value, Double base) {
        if (value == null || base == null || base == 0) {
            return "–";
        }
        return MarkdownReport.fmt("%.2fx", value / base);
    }
}
