package dev.jetway.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.bench.load.StageInfo;
import dev.jetway.bench.metrics.MetricsCollector;
import dev.jetway.bench.metrics.PolicyReport;
import dev.jetway.bench.metrics.RequestTrace;
import dev.jetway.bench.traffic.TrafficClass;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-class, per-priority and per-tenant parts of a report. */
class TrafficReportTest {

    private static final long S = 1_000_000_000L;
    private static final List<TrafficClass> CLASSES = List.of(
            TrafficClass.of("a-critical", 0.25, "tenant-a", "critical", 10),
            TrafficClass.of("b-critical", 0.25, "tenant-b", "critical", 10),
            TrafficClass.of("a-batch", 0.25, "tenant-a", "batch", -1),
            TrafficClass.of("b-batch", 0.25, "tenant-b", "batch", -1));

    /**
     * Stage 0 (0-10 s, unloaded): every class completes its 5 requests with TTFT 0.1 s and 10 output tokens. Stage 1
     * (10-20 s, overloaded): critical TTFT 0.2 s, tenant-b's critical requests get 5 tokens instead of 10, and every
     * batch request is shed: a 429 rejected-saturated after 0.5 s for tenant-a, tenant-b's time out at 3 s.
     */
    static PolicyReport run() {
        List<StageInfo> stages = List.of(new StageInfo(0, 2, 0, 10 * S, false),
                new StageInfo(1, 4, 10 * S, 20 * S, false));
        MetricsCollector c = new MetricsCollector(stages, null, true, CLASSES);
        long index = 0;
        for (int stage = 0; stage < 2; stage++) {
            for (int k = 0; k < 5; k++) {
                for (TrafficClass tc : CLASSES) {
                    long sent = stage * 10 * S + k * S;
                    RequestTrace r = c.start(index++, stage, sent, tc);
                    if (stage == 1 && tc.sheddable()) {
                        boolean a = tc.tenant().equals("tenant-a");
                        c.finish(r, false, a ? "HTTP 429: saturated" : "timeout", sent + (a ? S / 2 : 3 * S), 100, 0,
                                0, -1, a ? 429 : 0, a ? "rejected-saturated" : null);
                        continue;
                    }
                    long ttft = stage == 0 ? S / 10 : S / 5;
                    int tokens = stage == 1 && tc.name().equals("b-critical") ? 5 : 10;
                    c.tokens(r, 1, sent + ttft);
                    c.tokens(r, tokens - 1, sent + ttft + S / 10);
                    c.finish(r, true, null, sent + ttft + S / 10, 100, 0, tokens, 0);
                }
            }
        }
        return c.report("jetway", null, new long[] {0, 10 * S}, new long[] {10 * S, 20 * S});
    }

    @Test
    void eachClassPriorityAndTenantIsReportedOverallAndPerStage() {
        PolicyReport p = run();
        assertThat(p.traffic().classes()).hasSize(4);
        var aCritical = p.traffic().classes().getFirst();
        assertThat(aCritical.requests()).isEqualTo(10);
        assertThat(aCritical.completed()).isEqualTo(10);
        assertThat(aCritical.ttftMaxS()).isCloseTo(0.2, within(0.001));
        assertThat(aCritical.outputTokensPerS()).isCloseTo(100 / 20.0, within(1e-9)); // 10 x 10 tokens over 20 s
        var bBatch = p.traffic().classes().get(3);
        assertThat(bBatch.failedByStatus()).isEqualTo(Map.of("none", 5L));
        assertThat(bBatch.droppedReasons()).isEmpty();
        assertThat(bBatch.timeToFailureMaxS()).isCloseTo(3.0, within(1e-9));
        var aBatch = p.traffic().classes().get(2);
        assertThat(aBatch.failedByStatus()).isEqualTo(Map.of("429", 5L));
        assertThat(aBatch.droppedReasons()).isEqualTo(Map.of("rejected-saturated", 5L));

        var critical = p.traffic().priorities().getFirst();
        assertThat(critical.priority()).isEqualTo(10);
        assertThat(critical.objectives()).containsExactly("critical");
        assertThat(critical.classes()).containsExactly("a-critical", "b-critical");
        assertThat(critical.requests()).isEqualTo(20);
        assertThat(critical.tenantOutputTokensPerS()).containsEntry("tenant-a", 5.0).containsEntry("tenant-b", 3.75);
        assertThat(critical.tenantMinMaxRatio()).isCloseTo(0.75, within(1e-9));
        var batch = p.traffic().priorities().getLast();
        assertThat(batch.failedByStatus()).isEqualTo(Map.of("429", 5L, "none", 5L));
        assertThat(p.traffic().tenants()).extracting(t -> t.tenant()).containsExactly("tenant-a", "tenant-b");

        // per stage: stage 1's critical TTFT against stage 0's, and stage 0's equal service
        var unloaded = p.stages().get(0).traffic().priorities().getFirst();
        var loaded = p.stages().get(1).traffic().priorities().getFirst();
        assertThat(unloaded.ttftP90S()).isCloseTo(0.1, within(0.001));
        assertThat(loaded.ttftP90S()).isCloseTo(0.2, within(0.001));
        assertThat(unloaded.tenantMinMaxRatio()).isEqualTo(1.0);
        assertThat(loaded.tenantMinMaxRatio()).isCloseTo(0.5, within(1e-9));
        // nothing served at a priority: no ratio
        assertThat(p.stages().get(1).traffic().priorities().getLast().tenantMinMaxRatio()).isNull();
    }

    @Test
    void theJsonHasTheNewFieldsOnlyForRunsWithClasses() throws Exception {
        BenchReport report = new BenchReport(BenchReport.SCHEMA_VERSION, "simulate", "random (t)", Map.of(),
                List.of(run()), Map.of());
        JsonNode policy = new ObjectMapper().readTree(JsonReport.toJson(report)).path("policies").get(0);
        JsonNode cls = policy.path("classes").get(0);
        for (String field : List.of("name", "tenant", "objective", "priority", "requests", "completed", "failed",
                "failed_by_status", "dropped_reasons", "ttft_p50_s", "ttft_p90_s", "ttft_p99_s", "ttft_max_s",
                "e2e_p50_s", "e2e_p90_s", "e2e_p99_s", "output_tokens_per_s", "time_to_failure_max_s")) {
            assertThat(cls.has(field)).as(field).isTrue();
        }
        assertThat(policy.path("classes").get(2).path("failed_by_status").path("429").asLong()).isEqualTo(5);
        assertThat(policy.path("classes").get(2).path("dropped_reasons").path("rejected-saturated").asLong())
                .isEqualTo(5);
        JsonNode priority = policy.path("priorities").get(0);
        assertThat(priority.path("tenant_output_tokens_per_s").path("tenant-b").asDouble()).isEqualTo(3.75);
        assertThat(priority.path("tenant_min_max_ratio").asDouble()).isCloseTo(0.75, within(1e-9));
        assertThat(policy.path("tenants").get(1).path("output_tokens_per_s").isNumber()).isTrue();
        JsonNode stage = policy.path("stages").get(1);
        assertThat(stage.path("classes").size()).isEqualTo(4);
        assertThat(stage.path("priorities").get(0).path("ttft_p90_s").asDouble()).isCloseTo(0.2, within(0.001));
        assertThat(stage.path("ttft_p90_s").isNumber()).isTrue(); // the stage's summary fields stay where they were
        assertThat(policy.path("summary").has("classes")).isFalse();

        JsonNode plain = new ObjectMapper().readTree(JsonReport.toJson(ReportTest.sample())).path("policies").get(0);
        for (String field : List.of("classes", "priorities", "tenants")) {
            assertThat(plain.has(field)).as(field).isFalse();
            assertThat(plain.path("stages").get(0).has(field)).as("stage " + field).isFalse();
        }
    }

    @Test
    void markdownHasTheClassTableAndThePriorityTablePerStage() {
        BenchReport report = new BenchReport(BenchReport.SCHEMA_VERSION, "simulate", "random (t)", Map.of(),
                List.of(run()), Map.of());
        String md = MarkdownReport.render(report);
        assertThat(md).contains("### Per traffic class", "### Per priority, per stage",
                "| jetway | a-batch | tenant-a | batch | -1 | 10 | 5 | 429: 5 | rejected-saturated: 5 |",
                "| jetway | b-batch | tenant-b | batch | -1 | 10 | 5 | none: 5 | 0 |",
                // stage 1: critical TTFT p90 twice stage 0's; tenant-b got 5 tokens a request to tenant-a's 10 (2.5 tok/s)
                "| jetway | 1 | 10 | critical | 10 | 10 | 0 | 0.200 | 0.200 | 2.00x | 0.200 | – | tenant-a 5, "
                        + "tenant-b 3 | 0.50 |",
                "- jetway: tenant-a 8 (15 / 20), tenant-b 6 (15 / 20)");
        assertThat(MarkdownReport.render(ReportTest.sample())).doesNotContain("Per traffic class", "Per priority");
        assertThat(HtmlReport.render(report)).contains("Per traffic class", "<td>rejected-saturated: 5</td>");
    }
}
