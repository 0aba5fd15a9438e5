package dev.jetway.bench.report;

import dev.jetway.bench.metrics.CdfPoint;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.ReplicaSummary;
import dev.jetway.bench.metrics.StageSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A self-contained HTML report: the Markdown tables rendered as HTML plus charts (TTFT p90 and output tokens/s
 * against offered load, TTFT CDF, requests and KV usage per replica) embedded as base64 PNG, viewable offline.
 */
public final class HtmlReport {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 420;

    private HtmlReport() {
    }

    public static String render(BenchReport report) {
        System.setProperty("java.awt.headless", "true");
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Jetway ").append(escape(report.tool()))
                .append(" report</title>\n<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}"
                        + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;"
                        + "text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}"
                        + "img{max-width:100%;border:1px solid #eee;margin:1em 0}</style></head><body>\n");
        html.append(MarkdownTables.toHtml(MarkdownReport.render(report)));
        html.append("<h3>How to read this</h3><p>Latencies are client-side and count from each request's scheduled send"
                + " time. The first chart shows where each policy stops keeping up as offered load rises; the CDF shows"
                + " the whole TTFT distribution (a curve further left is better); the replica charts show how evenly"
                + " each policy spreads load and memory.</p>\n");
        List<PolicyReport> policies = report.policies();
        if (!policies.isEmpty() && policies.getFirst().stages().size() > 1) {
            html.append(image(latencyVsLoad(policies, "TTFT p90 vs offered load", "TTFT p90 (s)",
                    s -> s.summary().ttftP90S(), true)));
            html.append(image(latencyVsLoad(policies, "Output tokens/s vs offered load", "output tokens/s",
                    s -> s.summary().outputTokensPerS(), false)));
        }
        if (policies.stream().anyMatch(p -> !p.ttftCdf().isEmpty())) {
            html.append(image(ttftCdf(policies)));
        }
        if (policies.stream().anyMatch(p -> !p.replicas().isEmpty())) {
            html.append(image(perReplica(policies, "Requests per replica", "requests", r -> (double) r.requests())));
            if (policies.stream().flatMap(p -> p.replicas().stream()).anyMatch(r -> r.kvUsageMean() != null)) {
                html.append(image(perReplica(policies, "Mean KV-cache usage per replica", "KV usage (0..1)",
                        ReplicaSummary::kvUsageMean)));
                html.append(image(perReplica(policies, "Mean waiting queue per replica", "waiting requests",
                        ReplicaSummary::queueMean)));
            }
        }
        html.append("</body></html>\n");
        return html.toString();
    }

    private static XYChart latencyVsLoad(List<PolicyReport> policies, String title, String yTitle,
                                         Function<StageSummary, Double> metric, boolean log) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("offered load (requests/s)").yAxisTitle(yTitle).build();
        chart.getStyler().setYAxisLogarithmic(log);
        for (PolicyReport p : policies) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            p.stages().stream().filter(s -> !s.warmup()).sorted(java.util.Comparator.comparingDouble(StageSummary::targetRate))
                    .forEach(s -> {
                        Double y = metric.apply(s);
                        if (y != null && (!log || y > 0)) {
                            xs.add(s.targetRate());
                            ys.add(y);
                        }
                    });
            if (!xs.isEmpty()) {
                chart.addSeries(p.policy(), xs, ys).setMarker(SeriesMarkers.CIRCLE);
            }
        }
        return chart;
    }

    private static XYChart ttftCdf(List<PolicyReport> policies) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("TTFT distribution (CDF)")
                .xAxisTitle("TTFT (s)").yAxisTitle("percent of requests").build();
        chart.getStyler().setXAxisLogarithmic(true);
        for (PolicyReport p : policies) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (CdfPoint c : p.ttftCdf()) {
                if (c.ttftS() > 0) {
                    xs.add(c.ttftS());
                    ys.add(c.percentile());
                }
            }
            if (!xs.isEmpty()) {
                chart.addSeries(p.policy(), xs, ys).setMarker(SeriesMarkers.NONE);
            }
        }
        return chart;
    }

    private static CategoryChart perReplica(List<PolicyReport> policies, String title, String yTitle,
                                            Function<ReplicaSummary, Double> metric) {
        boolean profiles = ReplicaProfiles.heterogeneous(policies);
        Map<String, String> shortNames = ReplicaProfiles.shortNames(ReplicaProfiles.of(policies));
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(profiles ? "replica (profile)" : "replica").yAxisTitle(yTitle).build();
        // Every series needs the same categories: policies run on pools of different sizes (--replicas 4,8, a P/D
        // split beside its aggregated baseline) share one axis, the union of their replicas, 0 where a pool has none.
        List<Map<String, Double>> series = new ArrayList<>();
        Set<String> axis = new LinkedHashSet<>();
        for (PolicyReport p : policies) {
            Map<String, Double> values = new LinkedHashMap<>();
            for (ReplicaSummary r : p.replicas()) {
                Double v = metric.apply(r);
                values.put(profiles ? r.replica() + " (" + shortNames.get(r.profile()) + ")"
                        : Integer.toString(r.replica()), v == null ? 0.0 : v);
            }
            axis.addAll(values.keySet());
            series.add(values);
        }
        List<String> xs = new ArrayList<>(axis);
        for (int i = 0; i < policies.size(); i++) {
            if (!series.get(i).isEmpty()) {
                Map<String, Double> values = series.get(i);
                chart.addSeries(policies.get(i).policy(), xs, xs.stream().map(x -> values.getOrDefault(x, 0.0)).toList());
            }
        }
        return chart;
    }

    private static String image(Chart<?, ?> chart) {
        try {
            byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            return "<img alt=\"" + escape(chart.getTitle()) + "\" src=\"data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(png) + "\">\n";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render chart " + chart.getTitle(), e);
        }
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
