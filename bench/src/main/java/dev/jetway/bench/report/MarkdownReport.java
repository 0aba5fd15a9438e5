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
        appendFailures(report, md);
        appendPublished(report, md);
        appendLatencyModel(report, md);
        appendStages(report, md);
        md.append(ReplicaProfiles.markdown(report.policies()));
        md.append(PdTables.markdown(report.policies(), report.published()));
        md.append(GatewayTables.markdown(report.policies()));
        md.append(TrafficTables.markdown(report.policies()));
        return md.toString();
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
        md.append("\nLatency model, mean absolute percentage error of the last predictions (pool; worst endpoint):\n\n");
        md.append("| policy | TTFT MAPE | worst endpoint | TPOT MAPE | worst endpoint | E2E MAPE (non-streamed) |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        for (PolicyReport p : report.policies()) {
            LatencyModelReport m = p.latencyModel();
            if (m == null) {
                continue;
            }
            md.append("| ").append(p.policy()).append(" | ").append(pct(m.ttftMape())).append(" | ")
                    .append(pct(m.worstEndpoint("ttft"))).append(" | ").append(pct(m.tpotMape())).append(" | ")
                    .append(pct(m.worstEndpoint("tpot"))).append(" | ").append(pct(m.e2eMape())).append(" |\n");
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
            md.append("| ").append(i).append(first.warmup() ? " (warm-up)" : "").append(" | ")
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
