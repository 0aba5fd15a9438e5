package dev.jetway.bench.report;

import dev.jetway.bench.metrics.AcrossStages;
import dev.jetway.bench.metrics.LatencyModelReport;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.StageSummary;
import dev.jetway.bench.metrics.Summary;
import java.util.Locale;
import java.util.Map;

/**
 * The report as Markdown tables: summary per policy, published numbers side by side, TTFT p90 per stage, per replica
 * profile, per traffic class and priority.
 */
public final class MarkdownReport {

    private MarkdownReport() {
    }

    public static String render(BenchReport report) {
        StringBuilder md = new StringBuilder();
        md.append("## ").append(report.tool().equals("simulate") ? "Simulation" : "Benchmark").append(": ")
                .append(report.workload()).append("\n\n");
        boolean goodput = report.policies().stream().anyMatch(p -> p.summary().goodputRequestsPerS() != null);
        boolean dollars = report.policies().stream().anyMatch(p -> p.summary().outputTokensPerDollar() != null);
        md.append("| policy | TTFT p50 (s) | TTFT p90 (s) | TTFT p99 (s) | ITL mean (s) | E2E p90 (s) | req/s | output tok/s"
                + " | prefix hit | success |");
        md.append(goodput ? " goodput req/s |" : "").append(dollars ? " output tok/$ |" : "").append('\n');
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        md.append(goodput ? "---:|" : "").append(dollars ? "---:|" : "").append('\n');
        for (PolicyReport p : report.policies()) {
            Summary s = p.summary();
            md.append("| ").append(p.policy()).append(" | ").append(sec(s.ttftP50S())).append(" | ")
                    .append(sec(s.ttftP90S())).append(" | ").append(sec(s.ttftP99S())).append(" | ")
                    .append(sec(s.itlMeanS())).append(" | ").append(sec(s.e2eP90S())).append(" | ")
                    .append(fmt("%.2f", s.requestsPerS())).append(" | ").append(fmt("%.0f", s.outputTokensPerS()))
                    .append(" | ").append(fmt("%.1f%%", 100 * s.prefixHitRate())).append(" | ")
                    .append(fmt("%.1f%%", 100 * s.successRate())).append(" |");
            if (goodput) {
                md.append(' ').append(s.goodputRequestsPerS() == null ? "–" : fmt("%.2f", s.goodputRequestsPerS())).append(" |");
            }
            if (dollars) {
                md.append(' ').append(s.outputTokensPerDollar() == null ? "–" : fmt("%.0f", s.outputTokensPerDollar())).append(" |");
            }
            md.append('\n');
        }
        appendSummaryScope(report, md);
        appendFailures(report, md);
        appendPublished(report, md);
        appendLatencyModel(report, md);
        appendStages(report, md);
        appendReplicas(report, md);
        md.append(ReplicaProfiles.markdown(report.policies()));
        md.append(PdTables.markdown(report.policies(), report.published()));
        md.append(GatewayTables.markdown(report.policies()));
        md.append(TrafficTables.markdown(report.policies()));
        return md.toString();
    }

    /**
     * What the summary row covers. With several measured stages it pools their requests, so its percentiles mix
     * light and heavy load and, without a warm-up, a cold first stage with warm later ones (a bimodal TTFT whose
     * pooled p90 can exceed every stage's own): say so, give each policy's TTFT p90 of the last stage (the steady
     * state) beside the pooled one, and point at the per-stage table, so a reader trusts both numbers.
     */
    private static void appendSummaryScope(BenchReport report, StringBuilder md) {
        if (report.policies().isEmpty()) {
            return;
        }
        var stages = report.policies().getFirst().stages();
        long measured = stages.stream().filter(st -> !st.warmup()).count();
        long warmup = stages.size() - measured;
        md.append('\n');
        if (measured > 1) {
            md.append("The summary pools the requests of all ").append(measured).append(" measured stages");
            md.append(warmup > 0 ? " (the warm-up excluded)" : "");
            md.append(": its percentiles mix the stages' loads");
            md.append(warmup > 0 ? "" : ", and the first stage runs on cold prefix caches");
            md.append(", so read each load in the per-stage table below. ");
            appendSteadyTtft(report, md);
        } else {
            md.append("The summary covers the measured run").append(warmup > 0 ? " after the warm-up" : "").append('.');
        }
        md.append(" TTFT and E2E count from each request's scheduled send time; prefix hit is the share of prompt"
                + " tokens served from a prefix cache.\n");
        Object version = report.settings() == null ? null : report.settings().get("jetway_version");
        Object when = report.settings() == null ? null : report.settings().get("generated_at");
        if (version != null || when != null) {
            md.append("\nProduced by ").append(version == null ? "jetway" : version)
                    .append(when == null ? "" : " at " + when).append(".\n");
        }
    }

    /** {@code TTFT p90 of the last stage (steady state), beside the pooled one: p 0.0407 s (pooled 0.0427 s); ...}. */
    private static void appendSteadyTtft(BenchReport report, StringBuilder md) {
        StringBuilder parts = new StringBuilder();
        for (PolicyReport p : report.policies()) {
            StageSummary last = p.stages().stream().filter(st -> !st.warmup()).reduce((a, b) -> b).orElse(null);
            if (last == null) {
                continue;
            }
            parts.append(parts.isEmpty() ? "" : "; ").append(p.policy()).append(' ')
                    .append(sec(last.summary().ttftP90S())).append(" s (pooled ").append(sec(p.summary().ttftP90S()))
                    .append(" s)");
        }
        if (!parts.isEmpty()) {
            double rate = report.policies().getFirst().stages().stream().filter(st -> !st.warmup())
                    .reduce((a, b) -> b).orElseThrow().targetRate();
            md.append("TTFT p90 of the last stage (")
                    .append(rate == Math.rint(rate) ? fmt("%.0f", rate) : fmt("%.2f", rate))
                    .append(" req/s), the steady state, beside the pooled one: ").append(parts).append('.');
        }
    }

    /**
     * Per replica, when the run saw which replica served each request (always in simulation; live from the gateway's
     * endpoint header): one row per policy, replicas in order, so a reader sees the spread without a table per pool.
     */
    private static void appendReplicas(BenchReport report, StringBuilder md) {
        boolean seen = report.policies().stream().flatMap(p -> p.replicas().stream()).anyMatch(r -> r.requests() > 0);
        if (!seen) {
            return;
        }
        md.append("\n### Per replica\n\nRequests and prefix-cache hit rate of each replica over the whole run (warm-up"
                + " included), in replica order (min / median / max beyond eight replicas).\n\n"
                + "| policy | replicas | requests | prefix hit |\n");
        md.append("|---|---:|---|---|\n");
        for (PolicyReport p : report.policies()) {
            var rs = p.replicas();
            if (rs.isEmpty()) {
                continue;
            }
            md.append("| ").append(p.policy()).append(" | ").append(rs.size()).append(" | ")
                    .append(spread(rs.stream().map(r -> (double) r.requests()).toList(), "%.0f")).append(" | ")
                    .append(spread(rs.stream().map(r -> r.requests() > 0 ? 100 * r.prefixHitRate() : null).toList(),
                            "%.0f%%")).append(" |\n");
        }
    }

    private static String spread(java.util.List<Double> values, String pattern) {
        if (values.size() <= 8) {
            return String.join(" / ", values.stream().map(v -> v == null ? "–" : fmt(pattern, v)).toList());
        }
        java.util.List<Double> sorted = values.stream().filter(java.util.Objects::nonNull).sorted().toList();
        if (sorted.isEmpty()) {
            return "–";
        }
        return "min " + fmt(pattern, sorted.getFirst()) + ", median " + fmt(pattern, sorted.get(sorted.size() / 2))
                + ", max " + fmt(pattern, sorted.getLast());
    }

    /**
     * Why requests failed, per policy, most frequent first: a run whose success column says 0% must say why in the
     * same place (stdout, Markdown and HTML all render this), not only in the JSON.
     */
    private static void appendFailures(BenchReport report, StringBuilder md) {
        boolean any = report.policies().stream().anyMatch(p -> p.summary().errors() != null
                && !p.summary().errors().isEmpty());
        if (!any) {
            return;
        }
        md.append("\n### Failed requests\n\n| policy | reason | requests |\n|---|---|---:|\n");
        for (PolicyReport p : report.policies()) {
            Map<String, Long> errors = p.summary().errors();
            if (errors == null) {
                continue;
            }
            errors.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .forEach(e -> md.append("| ").append(p.policy()).append(" | ")
                            .append(e.getKey().replace("|", "\\|").replace("\n", " ")).append(" | ")
                            .append(e.getValue()).append(" |\n"));
        }
    }

    /** The latency models' prediction errors, for the policies that have one. */
    private static void appendLatencyModel(BenchReport report, StringBuilder md) {
        if (report.policies().stream().noneMatch(p -> p.latencyModel() != null)) {
            return;
        }
        md.append("\nLatency model, mean absolute percentage error (pool): in steady state (every prediction observed "
                + "while requests arrived, after the first 20% of the arrivals) and at the end of the run (the model's "
                + "last 256 predictions per endpoint, as `jetway_latency_prediction_error` exports them; in a "
                + "simulation, the drain), with the worst endpoint's:\n\n");
        md.append("| policy | TTFT steady | TPOT steady | E2E steady (non-streamed) | TTFT end | worst endpoint "
                + "| TPOT end | worst endpoint | E2E end |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (PolicyReport p : report.policies()) {
            LatencyModelReport m = p.latencyModel();
            if (m == null) {
                continue;
            }
            LatencyModelReport.SteadyState steady = m.steady();
            md.append("| ").append(p.policy()).append(" | ")
                    .append(steady == null ? "–" : pct(steady.ttftMape())).append(" | ")
                    .append(steady == null ? "–" : pct(steady.tpotMape())).append(" | ")
                    .append(steady == null ? "–" : pct(steady.e2eMape())).append(" | ")
                    .append(pct(m.ttftMape())).append(" | ").append(pct(m.worstEndpoint("ttft"))).append(" | ")
                    .append(pct(m.tpotMape())).append(" | ").append(pct(m.worstEndpoint("tpot"))).append(" | ")
                    .append(pct(m.e2eMape())).append(" |\n");
        }
    }

    private static String pct(Double v) {
        return v == null ? "–" : fmt("%.1f%%", 100 * v);
    }

    private static void appendPublished(BenchReport report, StringBuilder md) {
        Map<String, Map<String, Double>> published = report.published();
        if (published == null || report.policies().stream().noneMatch(p -> published.containsKey(p.policy()))) {
            return; // nothing to put side by side
        }
        md.append("\n### Measured here vs published\n\n");
        md.append("Here: the measured stages summarised as llm-d's reports do (output tok/s the mean of the stages; TTFT "
                + "and ITL the stages' values weighted by their successful requests). Published ITL measured with "
                + "inference-perf before November 2025 is about half the time per token: it timestamped every SSE "
                + "event twice.\n\n");
        md.append("| policy | TTFT p90 (s) here | published | ratio | TTFT mean (s) here | published "
                + "| output tok/s here | published | ratio | ITL mean (s) here | published |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (PolicyReport p : report.policies()) {
            Map<String, Double> pub = published.get(p.policy());
            if (pub == null) {
                continue;
            }
            AcrossStages here = p.acrossStages();
            Double pubTtft = pub.get("ttft_p90_s");
            Double pubTok = pub.get("output_tokens_per_s");
            md.append("| ").append(p.policy())
                    .append(" | ").append(sec(here.ttftP90S())).append(" | ").append(sec(pubTtft))
                    .append(" | ").append(ratio(here.ttftP90S(), pubTtft))
                    .append(" | ").append(sec(here.ttftMeanS())).append(" | ").append(sec(pub.get("ttft_mean_s")))
                    .append(" | ").append(here.outputTokensPerS() == null ? "–" : fmt("%.0f", here.outputTokensPerS()))
                    .append(" | ").append(pubTok == null ? "–" : fmt("%.0f", pubTok))
                    .append(" | ").append(ratio(here.outputTokensPerS(), pubTok))
                    .append(" | ").append(sec(here.itlMeanS())).append(" | ").append(sec(pub.get("itl_mean_s")))
                    .append(" |\n");
        }
    }

    private static void appendStages(BenchReport report, StringBuilder md) {
        if (report.policies().isEmpty() || report.policies().getFirst().stages().size() < 2) {
            return;
        }
        md.append("\n### TTFT p90 (s) / output tok/s per stage\n\n| stage | rate (req/s) |");
        for (PolicyReport p : report.policies()) {
            md.append(' ').append(p.policy()).append(" |");
        }
        md.append("\n|---:|---:|");
        md.append("---:|".repeat(report.policies().size())).append('\n');
        int stages = report.policies().getFirst().stages().size();
        for (int i = 0; i < stages; i++) {
            StageSummary first = report.policies().getFirst().stages().get(i);
            md.append("| ").append(i).append(first.warmup() ? " (warm-up, not in the summary)" : "").append(" | ")
                    .append(fmt("%.4g", first.targetRate())).append(" |");
            for (PolicyReport p : report.policies()) {
                Summary s = p.stages().get(i).summary();
                md.append(' ').append(sec(s.ttftP90S())).append(" / ").append(fmt("%.0f", s.outputTokensPerS())).append(" |");
            }
            md.append('\n');
        }
    }

    static String sec(Double seconds) {
        if (seconds == null) {
            return "–";
        }
        return seconds >= 10 ? fmt("%.1f", seconds) : seconds >= 0.1 ? fmt("%.3f", seconds) : fmt("%.4f", seconds);
    }

    private static String ratio(Double ours, Double theirs) {
        if (ours == null || theirs == null || theirs == 0) {
            return "–";
        }
        return fmt("%.2fx", ours / theirs);
    }

    static String fmt(String pattern, Object value) {
        return String.format(Locale.ROOT, pattern, value);
    }
}
