package dev.jetway.bench.report;

import dev.jetway.bench.metrics.GatewayReport;
import dev.jetway.bench.metrics.PolicyReport;
import java.util.List;
import java.util.Locale;

/** The Markdown section of an active-active run: per policy and phase, agreement with a single gateway. */
final class GatewayTables {

    private GatewayTables() {
    }

    static String markdown(List<PolicyReport> policies) {
        if (policies.stream().noneMatch(p -> p.gateways() != null)) {
            return "";
        }
        StringBuilder md = new StringBuilder();
        md.append("\nGateway replicas (active-active): decisions matching a single gateway's, by when they were made "
                + "(shadow: what a gateway that saw every request would pick at that moment; run: the replica the "
                + "request got in the single-gateway run):\n\n");
        md.append("| policy | gateways | peer sync | phase | decisions | same as shadow | same as 1-gateway run "
                + "| prefix hit | TTFT p90 (s) |\n");
        md.append("|---|---:|---|---|---:|---:|---:|---:|---:|\n");
        for (PolicyReport p : policies) {
            GatewayReport g = p.gateways();
            if (g == null) {
                continue;
            }
            String before = g.killAtS() == null ? "all" : String.format(Locale.ROOT, "before %.0f s", g.killAtS());
            row(md, p.policy(), g, before, g.before());
            if (g.after() != null) {
                row(md, p.policy(), g, String.format(Locale.ROOT, "after %.0f s", g.killAtS()), g.after());
            }
        }
        return md.toString();
    }

    private static void row(StringBuilder md, String policy, GatewayReport g, String phase, GatewayReport.Phase p) {
        md.append("| ").append(policy).append(" | ").append(g.gateways()).append(" | ").append(g.peerSync())
                .append(" | ").append(phase).append(" | ").append(p.decisions()).append(" | ")
                .append(pct(p.agreement())).append(" | ").append(pct(p.runAgreement())).append(" | ")
                .append(String.format(Locale.ROOT, "%.1f%%", 100 * p.prefixHitRate())).append(" | ")
                .append(p.ttftP90S() == null ? "–" : String.format(Locale.ROOT, "%.3f", p.ttftP90S())).append(" |\n");
    }

    private static String pct(Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}
