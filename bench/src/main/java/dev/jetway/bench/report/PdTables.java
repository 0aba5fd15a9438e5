package dev.jetway.bench.report;

import static dev.jetway.bench.report.MarkdownReport.fmt;
import static dev.jetway.bench.report.MarkdownReport.sec;

import dev.jetway.bench.metrics.LegSummary;
import dev.jetway.bench.metrics.PdSummary;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.PoolReport;
import dev.jetway.bench.metrics.Summary;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The Markdown section that answers "should I split?": every policy that ran on a known pool (a P/D run of
 * {@code jetway simulate}), split pools beside aggregated ones, with each row's change against the first aggregated
 * row of the same GPU count, the published numbers when the workload has them, and the legs of the split requests.
 */
final class PdTables {

    private PdTables() {
    }

    /** Empty unless some policy's report names its pool. */
    static String markdown(List<PolicyReport> policies, Map<String, Map<String, Double>> published) {
        List<PolicyReport> rows = policies.stream().filter(p -> p.pool() != null).toList();
        if (rows.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("\n### P/D split vs aggregated\n\n");
        md.append("Pools side by side; Δ against the first aggregated pool with as many GPUs. TTFT runs from the "
                + "client's send to the first streamed token (a split request's: the decode leg's), E2E to the last. "
                + "Latencies in seconds.\n\n");
        md.append("| policy | pool | GPUs | TTFT mean | TTFT p50 | TTFT p90 | TTFT p95 | E2E mean | E2E p50 | E2E p90 "
                + "| E2E p95 | success |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (PolicyReport p : rows) {
            Summary s = p.summary();
            md.append("| ").append(p.policy()).append(" | ").append(describe(p.pool())).append(" | ")
                    .append(p.pool().gpus()).append(" | ").append(sec(s.ttftMeanS())).append(" | ")
                    .append(sec(s.ttftP50S())).append(" | ").append(sec(s.ttftP90S())).append(" | ")
                    .append(sec(s.ttftP95S())).append(" | ").append(sec(s.e2eMeanS())).append(" | ")
                    .append(sec(s.e2eP50S())).append(" | ").append(sec(s.e2eP90S())).append(" | ")
                    .append(sec(s.e2eP95S())).append(" | ").append(fmt("%.1f%%", 100 * s.successRate())).append(" |\n");
            Map<String, Double> pub = published == null ? null : published.get(p.policy());
            if (pub != null) {
                md.append("| published | | | ").append(pubSec(pub, "ttft_mean_s")).append(" | ")
                        .append(pubSec(pub, "ttft_p50_s")).append(" | ").append(pubSec(pub, "ttft_p90_s")).append(" | ")
                        .append(pubSec(pub, "ttft_p95_s")).append(" | ").append(pubSec(pub, "e2e_mean_s")).append(" | ")
                        .append(pubSec(pub, "e2e_p50_s")).append(" | ").append(pubSec(pub, "e2e_p90_s")).append(" | ")
                        .append(pubSec(pub, "e2e_p95_s")).append(" | |\n");
            }
        }
        boolean dollars = rows.stream().anyMatch(p -> p.summary().outputTokensPerDollar() != null);
        md.append("\n| policy | ITL mean | ITL p50 | ITL p90 | ITL p95 | output tok/s | per GPU |")
                .append(dollars ? " output tok/$ |" : "")
                .append(" Δ TTFT mean | Δ E2E mean | Δ E2E p95 | ITL mean ratio | Δ output per GPU |\n|---|---:|---:|---:|---:|---:|---:|")
                .append(dollars ? "---:|" : "").append("---:|---:|---:|---:|---:|\n");
        for (PolicyReport p : rows) {
            Summary s = p.summary();
            PolicyReport ref = reference(rows, p);
            md.append("| ").append(p.policy()).append(" | ").append(sec(s.itlMeanS())).append(" | ")
                    .append(sec(s.itlP50S())).append(" | ").append(sec(s.itlP90S())).append(" | ")
                    .append(sec(s.itlP95S())).append(" | ").append(fmt("%.0f", s.outputTokensPerS())).append(" | ")
                    .append(fmt("%.0f", p.pool().outputTokensPerSPerGpu())).append(" |");
            if (dollars) {
                md.append(' ').append(s.outputTokensPerDollar() == null ? "–" : fmt("%.0f", s.outputTokensPerDollar()))
                        .append(" |");
            }
            md.append(' ').append(change(ref, p, Summary::ttftMeanS)).append(" | ")
                    .append(change(ref, p, Summary::e2eMeanS)).append(" | ")
                    .append(change(ref, p, Summary::e2eP95S)).append(" | ")
                    .append(ratio(ref, p, Summary::itlMeanS)).append(" | ")
                    .append(ref == null || ref == p ? "–" : percent(p.pool().outputTokensPerSPerGpu(),
                            ref.pool().outputTokensPerSPerGpu())).append(" |\n");
            Map<String, Double> pub = published == null ? null : published.get(p.policy());
            if (pub != null && (pub.containsKey("itl_mean_s") || pub.containsKey("output_tokens_per_s"))) {
                Double tok = pub.get("output_tokens_per_s");
                md.append("| published | ").append(pubSec(pub, "itl_mean_s")).append(" | | | | ")
                        .append(tok == null ? "–" : fmt("%.0f", tok)).append(" | ")
                        .append(tok == null ? "–" : fmt("%.0f", tok / p.pool().gpus())).append(" |")
                        .append(dollars ? " |" : "").append(" | | | | |\n");
            }
        }
        List<PolicyReport> split = rows.stream().filter(p -> p.pool().pd() != null).toList();
        if (!split.isEmpty()) {
            md.append("\nP/D decisions and the legs of the split requests that succeeded: the prefill leg from "
                    + "reaching the prefill engine to its answer (queue + prefill), the decode leg from reaching the "
                    + "decode engine to its first token (queue + KV transfer + one step) and to its last.\n\n");
            md.append("| policy | split | decode-only | no prefill endpoint (fallback / refused) | prefill leg mean "
                    + "| p90 | decode to 1st token mean | p90 | decode leg mean | p90 |\n"
                    + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (PolicyReport p : split) {
                PdSummary pd = p.pool().pd();
                md.append("| ").append(p.policy()).append(" | ").append(pd.split()).append(" | ")
                        .append(pd.decisions().getOrDefault("decode-only", 0L)).append(" | ")
                        .append(pd.decisions().getOrDefault("no-prefill-endpoint", 0L)).append(" (")
                        .append(pd.aggregatedFallback()).append(" / ").append(pd.refused()).append(") | ")
                        .append(leg(pd.prefillLeg())).append(" | ").append(leg(pd.decodeFirstToken())).append(" | ")
                        .append(leg(pd.decodeLeg())).append(" |\n");
            }
        }
        return md.toString();
    }

    /** {@code 8P2D: 8 x tp1 + 2 x tp4}, or {@code 16 x tp1}. */
    private static String describe(PoolReport pool) {
        StringBuilder out = new StringBuilder();
        for (PoolReport.Group g : pool.groups()) {
            out.append(out.isEmpty() ? "" : " + ").append(g.replicas()).append(" × ").append(g.profile());
            if (!g.role().equals("both")) {
                out.append(' ').append(g.role());
            }
        }
        return out.toString();
    }

    /** The first aggregated row with as many GPUs as {@code p}'s pool, or null. */
    private static PolicyReport reference(List<PolicyReport> rows, PolicyReport p) {
        for (PolicyReport r : rows) {
            if (!r.pool().split() && r.pool().gpus() == p.pool().gpus()) {
                return r;
            }
        }
        return null;
    }

    private static String change(PolicyReport ref, PolicyReport p, Function<Summary, Double> metric) {
        if (ref == null || ref == p) {
            return "–";
        }
        Double ours = metric.apply(p.summary());
        Double theirs = metric.apply(ref.summary());
        return ours == null || theirs == null ? "–" : percent(ours, theirs);
    }

    private static String percent(double ours, double theirs) {
        return theirs == 0 ? "–" : fmt("%+.0f%%", 100 * (ours / theirs - 1));
    }

    private static String ratio(PolicyReport ref, PolicyReport p, Function<Summary, Double> metric) {
        if (ref == null || ref == p) {
            return "–";
        }
        Double ours = metric.apply(p.summary());
        Double theirs = metric.apply(ref.summary());
        return ours == null || theirs == null || theirs == 0 ? "–" : fmt("%.2fx", ours / theirs);
    }

    private static String leg(LegSummary leg) {
        return sec(leg.meanS()) + " | " + sec(leg.p90S());
    }

    private static String pubSec(Map<String, Double> pub, String key) {
        return sec(pub.get(key));
    }
}
