package dev.jetway.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.bench.load.StageInfo;
import dev.jetway.bench.metrics.MetricsCollector;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.RequestTrace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {

    private static final long S = 1_000_000_000L;

    static BenchReport sample() {
        List<StageInfo> stages = List.of(new StageInfo(0, 2, 0, 10 * S, false), new StageInfo(1, 5, 10 * S, 20 * S, false));
        List<PolicyReport> policies = new ArrayList<>();
        for (String name : List.of("fast", "slow")) {
            MetricsCollector c = new MetricsCollector(stages, null);
            long ttft = name.equals("fast") ? S / 10 : 3 * S;
            for (int i = 0; i < 20; i++) {
                int stage = i < 10 ? 0 : 1;
                RequestTrace r = c.start(i, stage, i * S);
                c.tokens(r, 1, i * S + ttft);
                c.tokens(r, 1, i * S + ttft + S / 50);
                c.finish(r, true, null, i * S + ttft + S / 50, 100, 50, 2, i % 2);
                c.sampleReplica(i % 2, i % 3, 1, 0.5);
            }
            policies.add(c.report(name, null));
        }
        return new BenchReport(BenchReport.SCHEMA_VERSION, "simulate", "shared_prefix (test)", Map.of("replicas", 2),
                policies, Map.of("fast", Map.of("ttft_p90_s", 0.2, "output_tokens_per_s", 4.0)));
    }

    @Test
    void jsonHasTheDocumentedSchema() throws Exception {
        JsonNode root = new ObjectMapper().readTree(JsonReport.toJson(sample()));
        assertThat(root.path("schema_version").asInt()).isEqualTo(1);
        assertThat(root.path("tool").asText()).isEqualTo("simulate");
        JsonNode policy = root.path("policies").get(0);
        assertThat(policy.path("policy").asText()).isEqualTo("fast");
        for (String field : List.of("ttft_p50_s", "ttft_p90_s", "ttft_p99_s", "itl_mean_s", "e2e_p90_s",
                "requests_per_s", "output_tokens_per_s", "prefix_hit_rate", "success_rate", "tpot_p90_s",
                "goodput_requests_per_s", "output_tokens_per_dollar", "requests", "completed", "failed", "duration_s")) {
            assertThat(policy.path("summary").has(field)).as(field).isTrue();
            assertThat(policy.path("stages").get(1).has(field)).as("stage " + field).isTrue();
        }
        assertThat(policy.path("summary").path("ttft_p90_s").asDouble()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(0.001));
        assertThat(policy.path("summary").path("prefix_hit_rate").asDouble()).isEqualTo(0.5);
        assertThat(policy.path("stages").get(1).path("target_rate").asDouble()).isEqualTo(5.0);
        assertThat(policy.path("replicas").get(0).has("kv_usage_mean")).isTrue();
        assertThat(policy.path("ttft_cdf").get(0).has("ttft_s")).isTrue();
        assertThat(root.path("published").path("fast").path("ttft_p90_s").asDouble()).isEqualTo(0.2);
        for (String field : List.of("ttft_p90_s", "ttft_mean_s", "itl_mean_s", "output_tokens_per_s")) {
            assertThat(policy.path("across_stages").has(field)).as("across_stages " + field).isTrue();
        }
    }

    @Test
    void markdownHasASummaryRowPerPolicyThePublishedComparisonAndStages() {
        String md = MarkdownReport.render(sample());
        assertThat(md).contains("| fast | 0.100 |", "| slow | 3.000 |", "Measured here vs published",
                "TTFT p90 (s) / output tok/s per stage");
        // summary, published comparison, per replica
        assertThat(md.lines().filter(l -> l.startsWith("| fast")).count()).isEqualTo(3);
        // The comparison puts llm-d's aggregation next to the published row: TTFT p90 0.1 s against 0.2 s.
        assertThat(md).containsPattern("\\| fast \\| 0\\.100 \\| 0\\.200 \\| 0\\.50x \\|");
        // Published numbers for policies this run did not simulate: no empty comparison table.
        BenchReport other = sample();
        String none = MarkdownReport.render(new BenchReport(other.schemaVersion(), other.tool(), other.workload(),
                other.settings(), other.policies(), Map.of("precise", Map.of("ttft_p90_s", 0.5))));
        assertThat(none).doesNotContain("Measured here vs published");
    }

    @Test
    void aHeterogeneousPoolIsReportedPerProfile() throws Exception {
        BenchReport base = sample();
        List<PolicyReport> policies = base.policies().stream().map(p -> p.withReplicas(p.replicas().stream()
                .map(r -> r.withProfile(r.replica() == 0 ? "qwen3-32b-h100-tp2" : "qwen3-32b-a100-tp2")).toList())).toList();
        BenchReport report = new BenchReport(base.schemaVersion(), base.tool(), base.workload(), base.settings(), policies,
                base.published());
        JsonNode root = new ObjectMapper().readTree(JsonReport.toJson(report));
        assertThat(root.path("policies").get(0).path("replicas").get(1).path("profile").asText())
                .isEqualTo("qwen3-32b-a100-tp2");
        String md = MarkdownReport.render(report);
        assertThat(md).contains("### Per replica profile", "| fast | qwen3-32b-h100-tp2 | 1 | 10 | 50.0% |",
                "| slow | qwen3-32b-a100-tp2 | 1 | 10 | 50.0% |");
        assertThat(MarkdownReport.render(sample())).doesNotContain("Per replica profile");
        assertThat(HtmlReport.render(report)).contains("Per replica profile");
        assertThat(ReplicaProfiles.shortNames(List.of("qwen3-32b-h100-tp2", "qwen3-32b-a100-tp2")))
                .containsEntry("qwen3-32b-h100-tp2", "h100-tp2").containsEntry("qwen3-32b-a100-tp2", "a100-tp2");
        assertThat(ReplicaProfiles.shortNames(List.of("llama-3.1-8b-h100"))).containsEntry("llama-3.1-8b-h100",
                "llama-3.1-8b-h100");
    }

    @Test
    void htmlEmbedsChartsAsBase64AndIsSelfContained() {
        String html = HtmlReport.render(sample());
        assertThat(html).contains("<table>", "<th>policy</th>", "data:image/png;base64,", "TTFT distribution (CDF)",
                "Requests per replica");
        assertThat(html).doesNotContain("http://", "https://", "<script");
    }

    @Test
    void htmlChartsPoolsOfDifferentSizesOnOneReplicaAxis() {
        // --replicas 4,8 or a P/D split beside its aggregated baseline: the replica charts once threw here
        BenchReport base = sample();
        PolicyReport three = base.policies().get(1).withReplicas(List.of(base.policies().get(1).replicas().get(0),
                base.policies().get(1).replicas().get(1),
                base.policies().get(1).replicas().get(1).withProfile(null).withReplica(2)));
        BenchReport report = new BenchReport(base.schemaVersion(), base.tool(), base.workload(), base.settings(),
                List.of(base.policies().get(0), three), base.published());
        assertThat(HtmlReport.render(report)).contains("Requests per replica", "data:image/png;base64,");
    }

    @Test
    void htmlSaysWhatProducedItAndCaptionsOnlyTheChartsItHas() {
        BenchReport base = sample();
        java.util.Map<String, Object> settings = new java.util.LinkedHashMap<>();
        settings.put("replicas", 2);
        settings.put("jetway_version", "jetway 0.1.0 (commit abc1234)");
        settings.put("generated_at", "2026-12-07T12:00:00Z");
        settings.put("absent", null);
        BenchReport report = new BenchReport(base.schemaVersion(), base.tool(), base.workload(), settings,
                base.policies(), base.published());
        String html = HtmlReport.render(report);
        assertThat(html).contains("<th>workload</th><td>shared_prefix (test)</td>", "<th>replicas</th><td>2</td>",
                "jetway 0.1.0 (commit abc1234)", "2026-12-07T12:00:00Z", "Prefix-cache hit rate per replica");
        assertThat(html).doesNotContain("<th>absent</th>");
        assertThat(MarkdownReport.render(report)).contains("Produced by jetway 0.1.0 (commit abc1234) at 2026-12-07",
                "The summary pools the requests of all 2 measured stages", "### Per replica", "| fast | 2 | 10 / 10 |");
        // a live run against a target that names no replica: no per-replica charts, and no words about them
        List<PolicyReport> blind = base.policies().stream().map(p -> p.withReplicas(List.of())).toList();
        String noReplicas = HtmlReport.render(new BenchReport(base.schemaVersion(), base.tool(), base.workload(),
                settings, blind, base.published()));
        assertThat(noReplicas).doesNotContain("per replica", "Requests each replica served", "KV-cache blocks");
        assertThat(MarkdownReport.render(new BenchReport(base.schemaVersion(), base.tool(), base.workload(),
                settings, blind, base.published()))).doesNotContain("### Per replica");
    }

    @Test
    void aTwoStageRunShowsTheLastStagesTtftBesideThePooledOne() {
        // a cold first stage (2 s to first token) and a warm second one (0.1 s): pooled, the p90 is the cold one's
        List<StageInfo> stages = List.of(new StageInfo(0, 2, 0, 10 * S, false), new StageInfo(1, 5, 10 * S, 20 * S, false));
        MetricsCollector c = new MetricsCollector(stages, null);
        for (int i = 0; i < 20; i++) {
            long ttft = i < 10 ? 2 * S : S / 10;
            RequestTrace r = c.start(i, i < 10 ? 0 : 1, i * S);
            c.tokens(r, 1, i * S + ttft);
            c.finish(r, true, null, i * S + ttft, 100, 1, 0, 0);
        }
        BenchReport report = new BenchReport(BenchReport.SCHEMA_VERSION, "simulate", "shared_prefix (test)",
                Map.of(), List.of(c.report("cold", null)), Map.of());
        String md = MarkdownReport.render(report);
        assertThat(md).containsPattern("\\| cold \\| [0-9.]+ \\| 2\\.00\\d \\|") // the pooled p90 is the cold stage's
                .contains("and the first stage runs on cold prefix caches")
                .containsPattern("TTFT p90 of the last stage \\(5 req/s\\), the steady state, beside the pooled one: "
                        + "cold 0\\.100 s \\(pooled 2\\.00\\d s\\)\\.");
    }

    @Test
    void aLogAxisIsUsedOnlyWhenItCarriesTwoLabelledDecades() {
        assertThat(HtmlReport.spansDecades(List.of(0.2, 0.9, 3.0))).isFalse();
        assertThat(HtmlReport.spansDecades(List.of(0.05, 3.0))).isTrue(); // ticks at 0.1 and 1
        assertThat(HtmlReport.spansDecades(List.of(0.09, 1.2, 12.0))).isTrue();
        assertThat(HtmlReport.spansDecades(List.of())).isFalse();
    }

    @Test
    void everyLinearAxisHasSeveralRoundTickLabels() throws Exception {
        // one policy, two stages: two values per chart, which XChart once labelled with their 16 digits alone
        BenchReport base = sample();
        PolicyReport one = base.policies().getFirst();
        List<HtmlReport.Figure> figures = HtmlReport.figures(List.of(one));
        assertThat(figures).extracting(f -> f.chart().getTitle()).contains("TTFT p90 vs offered load",
                "Output tokens/s vs offered load");
        for (HtmlReport.Figure f : figures) {
            List<String> labels = yTickLabels(f.chart());
            assertThat(labels).as(f.chart().getTitle())
                    .allSatisfy(l -> assertThat(l).matches("-?[0-9]{1,3}(,[0-9]{3})*(\\.[0-9]{1,3})?"));
            if (f.chart() instanceof org.knowm.xchart.XYChart) {
                // (bars of equal height still get only 0 and their height: XChart's own limit, and no lie)
                assertThat(labels).as(f.chart().getTitle()).hasSizeGreaterThanOrEqualTo(4);
            }
        }
        assertThat(HtmlReport.tickLabel(0.12000000000000001)).isEqualTo("0.12");
        assertThat(HtmlReport.tickLabel(1500)).isEqualTo("1,500");
        assertThat(HtmlReport.tickLabel(0)).isEqualTo("0");
        assertThat(HtmlReport.tickLabel(377.8724403977159)).isEqualTo("378");
        assertThat(HtmlReport.roundGrid(1684.01)).containsExactly(0.0, 500.0, 1000.0, 1500.0, 2000.0);
        assertThat(HtmlReport.roundGrid(0.171647)).containsExactly(0.0, 0.05, 0.1, 0.15, 0.2);
        assertThat(HtmlReport.roundGrid(2.0)).containsExactly(0.0, 0.5, 1.0, 1.5, 2.0);
    }

    /** The y-axis tick labels XChart draws, read after rendering (XChart keeps them package-private). */
    @SuppressWarnings("unchecked")
    private static List<String> yTickLabels(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart) throws Exception {
        org.knowm.xchart.BitmapEncoder.getBitmapBytes(chart, org.knowm.xchart.BitmapEncoder.BitmapFormat.PNG);
        java.lang.reflect.Method axisPair = org.knowm.xchart.internal.chartpart.Chart.class
                .getDeclaredMethod("getAxisPair");
        axisPair.setAccessible(true);
        Object pair = axisPair.invoke(chart);
        java.lang.reflect.Method yAxis = pair.getClass().getDeclaredMethod("getYAxis");
        yAxis.setAccessible(true);
        org.knowm.xchart.internal.chartpart.Axis<?, ?> axis =
                (org.knowm.xchart.internal.chartpart.Axis<?, ?>) yAxis.invoke(pair);
        return axis.getAxisTickCalculator().getTickLabels();
    }

    @Test
    void aPolicyKeepsItsColourAcrossReportsAndSeriesOfOneChartDiffer() {
        assertThat(PolicyColours.of("jetway@4")).isEqualTo(PolicyColours.of("jetway"));
        assertThat(PolicyColours.of("jetway aggregated x4")).isEqualTo(PolicyColours.of("jetway"));
        assertThat(PolicyColours.of("round-robin")).isNotEqualTo(PolicyColours.of("jetway"));
        assertThat(PolicyColours.of("my-policy")).isEqualTo(PolicyColours.of("my-policy@8"));
        List<java.awt.Color> colours = PolicyColours.forSeries(List.of("jetway@4", "jetway@8", "round-robin@4"));
        assertThat(colours.get(0)).isEqualTo(PolicyColours.of("jetway"));
        assertThat(new java.util.HashSet<>(colours)).hasSize(3);
        // the same set in another report: the same colours
        assertThat(PolicyColours.forSeries(List.of("jetway@4", "jetway@8", "round-robin@4"))).isEqualTo(colours);
    }
}
