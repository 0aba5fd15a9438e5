package dev.jetway.bench.report;

import dev.jetway.bench.metrics.CdfPoint;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.ReplicaSummary;
import dev.jetway.bench.metrics.StageSummary;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
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
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A self-contained HTML report: what produced it (tool, workload, version, date, settings), the Markdown tables
 * rendered as HTML, and the charts the run has data for (TTFT p90 and output tokens/s against offered load, the TTFT
 * CDF, requests, prefix-cache hits, KV usage and queue per replica), each with a caption that says how to read it,
 * embedded as base64 PNG so the page is viewable offline.
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
                .append(" report: ").append(escape(report.workload())).append("</title>\n<style>body{font-family:sans-serif;"
                        + "max-width:1000px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}"
                        + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}"
                        + "td:first-child,th:first-child{text-align:left}img{max-width:100%;border:1px solid #eee;"
                        + "margin:1em 0 0}figure{margin:0 0 1.5em}figcaption{color:#444;font-size:90%}"
                        + ".run td{text-align:left}</style></head><body>\n");
        html.append(provenance(report));
        html.append(MarkdownTables.toHtml(MarkdownReport.render(report)));
        html.append("<h3>How to read the charts</h3><p>Latencies are measured at the client and count from each"
                + " request's scheduled send time, so time spent queued anywhere counts. Each policy keeps its colour"
                + " in every Jetway report.</p>\n");
        for (Figure f : figures(report.policies())) {
            html.append(f.html());
        }
        html.append("</body></html>\n");
        return html.toString();
    }

    /** A chart and the sentence that says what it shows and which way is better. */
    record Figure(Chart<?, ?> chart, String caption) {

        String html() {
            return "<figure>" + image(chart) + "<figcaption>" + escape(caption) + "</figcaption></figure>\n";
        }
    }

    /** The charts this report has data for; a chart without data is left out, and so is its caption. */
    static List<Figure> figures(List<PolicyReport> policies) {
        List<Figure> figures = new ArrayList<>();
        if (!policies.isEmpty() && policies.getFirst().stages().stream().filter(s -> !s.warmup()).count() > 1) {
            figures.add(new Figure(latencyVsLoad(policies, "TTFT p90 vs offered load", "TTFT p90 (s)",
                    s -> s.summary().ttftP90S(), true),
                    "Time to first token (90th percentile) of each measured stage against the load offered in it:"
                            + " lower is better; a curve that turns up steeply marks the load a policy stops keeping"
                            + " up with."));
            figures.add(new Figure(latencyVsLoad(policies, "Output tokens/s vs offered load", "output tokens/s",
                    s -> s.summary().outputTokensPerS(), false),
                    "Generated tokens per second in each measured stage: higher is better; it stops rising where"
                            + " the pool is saturated."));
        }
        if (policies.stream().anyMatch(p -> !p.ttftCdf().isEmpty())) {
            figures.add(new Figure(ttftCdf(policies), "Share of requests (y) whose time to first token was at most x,"
                    + " over the measured stages: a curve further left and higher is better; the gap between curves"
                    + " at 90% is the TTFT p90 difference of the summary table."));
        }
        List<ReplicaSummary> replicas = policies.stream().flatMap(p -> p.replicas().stream()).toList();
        if (replicas.stream().anyMatch(r -> r.requests() > 0)) {
            figures.add(new Figure(perReplica(policies, "Requests per replica", "requests", r -> (double) r.requests()),
                    "Requests each replica served over the whole run, warm-up included (a split request counts once"
                            + " on its prefill and once on its decode replica): even bars mean load was spread; uneven bars are fine when they"
                            + " follow the prefix cache, which the next chart shows."));
            figures.add(new Figure(perReplica(policies, "Prefix-cache hit rate per replica", "cached / prompt tokens",
                    r -> r.requests() > 0 ? r.prefixHitRate() : null),
                    "Share of the prompt tokens each replica found in its prefix cache: higher is better; it is"
                            + " what cache-aware routing buys."));
        }
        if (replicas.stream().anyMatch(r -> r.kvUsageMean() != null)) {
            figures.add(new Figure(perReplica(policies, "Mean KV-cache usage per replica", "KV usage (0..1)",
                    ReplicaSummary::kvUsageMean),
                    "Mean share of each replica's KV-cache blocks in use, sampled at every metrics scrape: a replica"
                            + " near 1 is about to queue or preempt."));
            figures.add(new Figure(perReplica(policies, "Mean waiting queue per replica", "waiting requests",
                    ReplicaSummary::queueMean),
                    "Mean number of requests waiting to be scheduled on each replica, sampled at every scrape:"
                            + " lower is better; one replica far above the others was given too much."));
        }
        return figures;
    }

    /**
     * What produced this page: the tool, the workload, the Jetway version and time, and every setting of the run,
     * so a page read months later (or forwarded) still says what it measured.
     */
    private static String provenance(BenchReport report) {
        StringBuilder html = new StringBuilder("<h1>Jetway ").append(escape(report.tool())).append(" report</h1>\n");
        html.append("<table class=\"run\"><tr><th>workload</th><td>").append(escape(report.workload()))
                .append("</td></tr>\n");
        Map<String, Object> settings = report.settings() == null ? Map.of() : report.settings();
        settings.forEach((key, value) -> {
            if (value != null) {
                html.append("<tr><th>").append(escape(key.replace('_', ' '))).append("</th><td>")
                        .append(escape(String.valueOf(value))).append("</td></tr>\n");
            }
        });
        return html.append("</table>\n").toString();
    }

    private static XYChart latencyVsLoad(List<PolicyReport> policies, String title, String yTitle,
                                         Function<StageSummary, Double> metric, boolean logIfWide) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("offered load (requests/s)").yAxisTitle(yTitle).build();
        List<String> names = new ArrayList<>();
        List<List<Double>> xs = new ArrayList<>();
        List<List<Double>> ys = new ArrayList<>();
        for (PolicyReport p : policies) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            p.stages().stream().filter(s -> !s.warmup()).sorted(Comparator.comparingDouble(StageSummary::targetRate))
                    .forEach(s -> {
                        Double v = metric.apply(s);
                        if (v != null) {
                            x.add(s.targetRate());
                            y.add(v);
                        }
                    });
            if (!x.isEmpty()) {
                names.add(p.policy());
                xs.add(x);
                ys.add(y);
            }
        }
        List<Double> values = ys.stream().flatMap(List::stream).toList();
        boolean log = logIfWide && spansDecades(values);
        chart.getStyler().setYAxisLogarithmic(log);
        if (!log) {
            roundLinearYAxis(chart, values, xs.isEmpty() ? 0 : xs.getFirst().getFirst());
        }
        chart.setCustomXAxisTickLabelsFormatter(HtmlReport::tickLabel);
        List<Color> colours = PolicyColours.forSeries(names);
        for (int i = 0; i < names.size(); i++) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int j = 0; j < xs.get(i).size(); j++) {
                if (!log || ys.get(i).get(j) > 0) {
                    x.add(xs.get(i).get(j));
                    y.add(ys.get(i).get(j));
                }
            }
            if (!x.isEmpty()) {
                XYSeries series = chart.addSeries(names.get(i), x, y);
                series.setMarker(SeriesMarkers.CIRCLE);
                series.setLineColor(colours.get(i));
                series.setMarkerColor(colours.get(i));
            }
        }
        return chart;
    }

    private static XYChart ttftCdf(List<PolicyReport> policies) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("TTFT distribution (CDF)")
                .xAxisTitle("TTFT (s)").yAxisTitle("percent of requests").build();
        List<Double> all = policies.stream().flatMap(p -> p.ttftCdf().stream()).map(CdfPoint::ttftS)
                .filter(v -> v > 0).toList();
        boolean log = spansDecades(all);
        chart.getStyler().setXAxisLogarithmic(log);
        if (!log) {
            chart.setCustomXAxisTickLabelsFormatter(HtmlReport::tickLabel);
        }
        List<PolicyReport> drawn = policies.stream().filter(p -> p.ttftCdf().stream().anyMatch(c -> c.ttftS() > 0))
                .toList();
        List<Color> colours = PolicyColours.forSeries(drawn.stream().map(PolicyReport::policy).toList());
        for (int i = 0; i < drawn.size(); i++) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (CdfPoint c : drawn.get(i).ttftCdf()) {
                if (c.ttftS() > 0 || !log) {
                    xs.add(c.ttftS());
                    ys.add(c.percentile());
                }
            }
            XYSeries series = chart.addSeries(drawn.get(i).policy(), xs, ys);
            series.setMarker(SeriesMarkers.NONE);
            series.setLineColor(colours.get(i));
        }
        return chart;
    }

    /**
     * A linear y axis from 0 to a round value, with round tick labels. XChart puts the ticks of an axis on the data
     * values themselves when those are equally spaced, as any two are: a chart of two stages had two labels, each
     * with all its digits ({@code 377.8724403977159}). A hidden series on a round grid from 0 to above the data
     * gives the axis a round range, on which XChart's own tick spacing applies (or, when the data falls on the grid,
     * the grid's ticks); {@link #tickLabel} keeps the labels short.
     */
    private static void roundLinearYAxis(XYChart chart, List<Double> values, double x) {
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        chart.setCustomYAxisTickLabelsFormatter(HtmlReport::tickLabel);
        if (!(max > 0) || min < 0 || !Double.isFinite(max)) {
            return;
        }
        List<Double> grid = roundGrid(max);
        XYSeries hidden = chart.addSeries("\u200b", java.util.Collections.nCopies(grid.size(), x), grid);
        hidden.setShowInLegend(false);
        hidden.setMarker(SeriesMarkers.NONE);
        hidden.setLineStyle(SeriesLines.NONE);
    }

    /** 0, s, 2s ... up to the first multiple of s at or above {@code max}, s a round step (1, 2, 2.5 or 5 x 10^k). */
    static List<Double> roundGrid(double max) {
        double raw = max / 5;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double n = raw / magnitude;
        double step = (n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10) * magnitude;
        List<Double> grid = new ArrayList<>();
        for (int k = 0; grid.isEmpty() || grid.getLast() < max * (1 - 1e-9); k++) {
            grid.add(new java.math.BigDecimal(k * step).round(new java.math.MathContext(6)).doubleValue());
        }
        return grid;
    }

    /**
     * A tick label: at most three significant digits (every tick of a round grid of a dozen steps needs no more),
     * thousands grouped, no trailing zeros: {@code 0}, {@code 0.05}, {@code 0.12}, {@code 1,500}.
     */
    static String tickLabel(double value) {
        if (value == 0 || !Double.isFinite(value)) {
            return value == 0 ? "0" : String.valueOf(value);
        }
        java.math.BigDecimal rounded = new java.math.BigDecimal(value).round(new java.math.MathContext(3))
                .stripTrailingZeros();
        java.text.DecimalFormat format = new java.text.DecimalFormat("#,##0",
                java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT));
        format.setMaximumFractionDigits(Math.max(0, rounded.scale()));
        return format.format(rounded);
    }

    /**
     * Whether a logarithmic axis would carry at least two labelled decades: XChart labels only powers of ten on a
     * log axis, so values between 0.2 and 3 s would get one tick label and read as a picture without a scale.
     */
    static boolean spansDecades(List<Double> values) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (double v : values) {
            if (v > 0) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return max > 0 && Math.floor(Math.log10(max)) - Math.ceil(Math.log10(min)) >= 1;
    }

    private static CategoryChart perReplica(List<PolicyReport> policies, String title, String yTitle,
                                            Function<ReplicaSummary, Double> metric) {
        boolean profiles = ReplicaProfiles.heterogeneous(policies);
        Map<String, String> shortNames = ReplicaProfiles.shortNames(ReplicaProfiles.of(policies));
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(profiles ? "replica (profile)" : "replica").yAxisTitle(yTitle).build();
        chart.setCustomYAxisTickLabelsFormatter(HtmlReport::tickLabel);
        // Every series needs the same categories: policies run on pools of different sizes (--replicas 4,8, a P/D
        // split beside its aggregated baseline) share one axis, the union of their replicas; a replica a pool does
        // not have, or a value not measured, is a gap, not a zero.
        List<Map<String, Double>> series = new ArrayList<>();
        Set<String> axis = new LinkedHashSet<>();
        for (PolicyReport p : policies) {
            Map<String, Double> values = new LinkedHashMap<>();
            for (ReplicaSummary r : p.replicas()) {
                values.put(profiles ? r.replica() + " (" + shortNames.get(r.profile()) + ")"
                        : Integer.toString(r.replica()), metric.apply(r));
            }
            axis.addAll(values.keySet());
            series.add(values);
        }
        List<String> xs = new ArrayList<>(axis);
        List<Integer> drawn = new ArrayList<>();
        for (int i = 0; i < policies.size(); i++) {
            if (series.get(i).values().stream().anyMatch(java.util.Objects::nonNull)) {
                drawn.add(i);
            }
        }
        List<Color> colours = PolicyColours.forSeries(drawn.stream().map(i -> policies.get(i).policy()).toList());
        for (int k = 0; k < drawn.size(); k++) {
            Map<String, Double> values = series.get(drawn.get(k));
            List<Double> ys = new ArrayList<>();
            for (String x : xs) {
                ys.add(values.get(x));
            }
            chart.addSeries(policies.get(drawn.get(k)).policy(), xs, ys).setFillColor(colours.get(k));
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
