package dev.jetway.bench.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.jetway.bench.traffic.TrafficClass;
import dev.jetway.bench.traffic.TrafficMix;
import dev.jetway.bench.load.RequestPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrafficSectionTest {

    private static final String BASE = "load: {stages: [{rate: 1, duration: 2}]}\n"
            + "data: {type: random, random: {input_len: 10, output_len: 5}}\n";

    private static BenchConfig parse(String traffic) throws Exception {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(BASE + traffic);
        return BenchConfigLoader.parse(root, Path.of("."));
    }

    private static void fails(String traffic, String... messageParts) {
        assertThatThrownBy(() -> parse(traffic)).isInstanceOf(ConfigException.class)
                .message().contains(messageParts);
    }

    @Test
    void aFileWithoutTrafficHasNoClasses() throws Exception {
        assertThat(parse("").traffic()).isSameAs(TrafficMix.NONE);
    }

    @Test
    void listedClassesSendTheirTenantObjectiveAndSloAsLlmdHeaders() throws Exception {
        TrafficMix mix = parse("""
                traffic:
                  seed: 7
                  classes:
                    - {name: a-critical, share: 0.25, tenant: tenant-a, objective: critical, priority: 10, slo_ttft_ms: 500}
                    - {name: a-batch, share: 0.75, tenant: tenant-a, objective: batch, priority: -1,
                       headers: {X-Team: search, x-llm-d-slo-tpot-ms: 50.5}}
                """).traffic();
        assertThat(mix.seed()).isEqualTo(7);
        TrafficClass critical = mix.classes().get(0);
        assertThat(critical.name()).isEqualTo("a-critical");
        assertThat(critical.share()).isEqualTo(0.25);
        assertThat(critical.tenant()).isEqualTo("tenant-a");
        assertThat(critical.objective()).isEqualTo("critical");
        assertThat(critical.priority()).isEqualTo(10);
        assertThat(critical.headers()).containsExactly(
                java.util.Map.entry("x-llm-d-inference-objective", "critical"),
                java.util.Map.entry("x-llm-d-inference-fairness-id", "tenant-a"),
                java.util.Map.entry("x-llm-d-slo-ttft-ms", "500"));
        TrafficClass batch = mix.classes().get(1);
        assertThat(batch.sheddable()).isTrue();
        assertThat(batch.headers()).containsEntry("x-team", "search").containsEntry("x-llm-d-slo-tpot-ms", "50.5");
    }

    @Test
    void tenantsTimesTiersIsOneClassPerPairWithTheProductOfTheShares() throws Exception {
        TrafficMix mix = parse("""
                traffic:
                  tenants: [{name: tenant-a, share: 0.5}, {name: tenant-b, share: 0.5}]
                  tiers:
                    - {objective: critical, priority: 10, share: 0.2}
                    - {objective: standard, priority: 0, share: 0.3}
                    - {objective: batch, priority: -1, share: 0.5, slo_ttft_ms: 60000}
                """).traffic();
        assertThat(mix.classes()).extracting(TrafficClass::name).containsExactly("tenant-a/critical",
                "tenant-a/standard", "tenant-a/batch", "tenant-b/critical", "tenant-b/standard", "tenant-b/batch");
        assertThat(mix.classes()).extracting(TrafficClass::share).containsExactly(0.1, 0.15, 0.25, 0.1, 0.15, 0.25);
        TrafficClass bBatch = mix.classes().get(5);
        assertThat(bBatch.tenant()).isEqualTo("tenant-b");
        assertThat(bBatch.priority()).isEqualTo(-1);
        assertThat(bBatch.headers()).containsEntry("x-llm-d-inference-fairness-id", "tenant-b")
                .containsEntry("x-llm-d-inference-objective", "batch").containsEntry("x-llm-d-slo-ttft-ms", "60000");
        assertThat(mix.seed()).isEqualTo(42);
    }

    @Test
    void theOverloadBenchmarkIsTwoTenantsTimesThreeTiersAtTwiceTheMeasuredCapacityAfterABaseline() {
        BenchConfig c = BenchConfigLoader.load(Path.of("../docs/workloads/overload-tiers.yaml"));
        BenchConfig capacity = BenchConfigLoader.load(Path.of("../docs/workloads/overload-tiers-capacity.yaml"));
        assertThat(c.traffic().classes()).hasSize(6);
        assertThat(c.traffic().classes()).extracting(TrafficClass::tenant).containsOnly("tenant-a", "tenant-b");
        assertThat(c.traffic().classes()).extracting(TrafficClass::objective)
                .containsOnly("critical", "standard", "batch");
        // the priorities the file states are those of the admission.objectives block it documents
        assertThat(c.traffic().classes()).allSatisfy(k -> assertThat(k.priority()).isEqualTo(
                Map.of("critical", 10, "standard", 0, "batch", -1).get(k.objective())));
        // 2x the 28 req/s the capacity ladder measures, after a ~30% warm-up baseline
        assertThat(c.load().stages()).hasSize(2);
        assertThat(c.load().stages().get(0).warmup()).isTrue();
        assertThat(c.load().stages().get(0).rate()).isEqualTo(8);
        assertThat(c.load().stages().get(1).rate()).isEqualTo(56);
        assertThat(c.load().stages().get(1).durationSeconds()).isEqualTo(60);
        // the capacity was measured on the same pool and requests
        assertThat(capacity.workload()).isEqualTo(c.workload());
        assertThat(capacity.cluster()).isEqualTo(c.cluster());
        assertThat(capacity.traffic()).isSameAs(TrafficMix.NONE);
    }

    @Test
    void classesWorkWithEveryWorkloadType(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("t.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 150; i++) {
            lines.append("{\"timestamp\": ").append(i * 10).append(", \"input_length\": 600, \"output_length\": 4, "
                    + "\"hash_ids\": [").append(i % 3).append(", ").append(100 + i).append("]}\n");
        }
        Files.writeString(trace, lines);
        String traffic = "traffic: {tenants: [{name: a, share: 0.5}, {name: b, share: 0.5}], "
                + "tiers: [{objective: hi, priority: 1, share: 0.4}, {objective: lo, priority: -1, share: 0.6}]}\n";
        for (String data : List.of(
                "{type: shared_prefix, shared_prefix: {num_groups: 3, num_prompts_per_group: 4}}",
                "{type: random, random: {input_len: 10, output_len: 5}}",
                "{type: chat, chat: {num_sessions: 4, turns: 3}}",
                "{type: mixed, mixed: {classes: [{type: coding, weight: 1, prompt_len: 20, output_len: 5}]}}",
                "{type: conversation, conversation: {duration: 120, session_rate: 2}}",
                "{type: trace, trace: {file: " + trace + "}}")) {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(
                    "load: {type: constant, stages: [{rate: 50, duration: 3}]}\ndata: " + data + "\n" + traffic);
            BenchConfig c = BenchConfigLoader.parse(root, dir);
            RequestPlan plan = RequestPlan.build(c.workload(), c.load(), 0, c.traffic());
            RequestPlan plain = RequestPlan.build(c.workload(), c.load(), 0);
            assertThat(plan.requests()).as(data).hasSizeGreaterThan(100).hasSameSizeAs(plain.requests());
            assertThat(plan.classes()).isEqualTo(c.traffic().classes());
            TrafficMix.Assignment expected = c.traffic().assignment();
            for (int i = 0; i < plan.requests().size(); i++) {
                assertThat(plan.requests().get(i).trafficClass()).as(data).isSameAs(expected.classOf(i));
                assertThat(plan.requests().get(i).sendAtNanos()).isEqualTo(plain.requests().get(i).sendAtNanos());
            }
        }
    }

    @Test
    void sharesThatDoNotAddUpToOneNameEveryShare() {
        fails("traffic: {classes: [{name: a, share: 0.3}, {name: b, share: 0.6}]}",
                "traffic.classes: shares add up to 0.9, not 1 (a 0.3, b 0.6)");
        fails("traffic: {tenants: [{name: a, share: 0.5}, {name: b, share: 0.6}], tiers: [{objective: x, share: 1}]}",
                "traffic.tenants: shares add up to 1.1, not 1");
        fails("traffic: {tenants: [{name: a, share: 1}], tiers: [{objective: x, share: 0.5}]}",
                "traffic.tiers: shares add up to 0.5, not 1");
        fails("traffic: {classes: [{name: a}]}", "traffic.classes[0].share: missing");
        fails("traffic: {classes: [{name: a, share: 0}, {name: b, share: 1}]}",
                "traffic.classes[0].share: must be > 0 and <= 1, got 0");
        fails("traffic: {classes: [{name: a, share: lots}]}", "traffic.classes[0].share: expected a number");
    }

    @Test
    void unknownFieldsAndMalformedSectionsAreNamed() {
        fails("traffic: {classes: [{name: a, share: 1, tennant: x}]}",
                "traffic.classes[0].tennant: unknown field for a traffic class (known: headers, name, objective, "
                        + "priority, share, slo_tpot_ms, slo_ttft_ms, tenant)");
        fails("traffic: {clases: []}", "traffic.clases: unknown field for the traffic section");
        fails("traffic: {tenants: [{name: a, share: 1, priority: 3}], tiers: [{objective: x, share: 1}]}",
                "traffic.tenants[0].priority: unknown field for a tenant");
        fails("traffic: [a, b]", "traffic: expected a mapping");
        fails("traffic: {seed: 1}", "traffic: needs classes (or tenants and tiers)");
        fails("traffic: {classes: [{name: a, share: 1}], tenants: [{name: t, share: 1}]}",
                "traffic: give either classes or tenants and tiers, not both");
        fails("traffic: {tenants: [{name: t, share: 1}]}", "traffic.tiers: expected a list");
        fails("traffic: {classes: []}", "traffic.classes: expected a list");
        fails("traffic: {classes: [x]}", "traffic.classes[0]: expected a mapping");
        fails("traffic: {classes: [{share: 1}]}", "traffic.classes[0].name: missing");
        fails("traffic: {classes: [{name: a, share: 1, priority: high, objective: x}]}",
                "traffic.classes[0].priority: expected an integer");
        fails("traffic: {classes: [{name: a, share: 1, slo_ttft_ms: -5}]}",
                "traffic.classes[0].slo_ttft_ms: must be > 0 milliseconds");
        fails("traffic: {classes: [{name: a, share: 1, headers: {\"bad name\": x}}]}",
                "traffic.classes[0].headers.bad name: not a valid header name");
        fails("traffic: {classes: [{name: a, share: 1, headers: [x]}]}",
                "traffic.classes[0].headers: expected a mapping");
    }

    @Test
    void classesMustAgreeWithWhatAGatewayConfigCanSay() {
        fails("traffic: {classes: [{name: a, share: 0.5}, {name: a, share: 0.5}]}",
                "traffic.classes[1].name: \"a\" names traffic.classes[0] too");
        fails("""
                traffic:
                  classes:
                    - {name: a, share: 0.5, objective: critical, priority: 10}
                    - {name: b, share: 0.5, objective: critical, priority: 5}
                """, "traffic.classes[1].priority: objective \"critical\" has priority 10 in traffic.classes[0]",
                "admission.objectives");
        fails("traffic: {classes: [{name: a, share: 1, priority: 10}]}",
                "traffic.classes[0].priority: a request without an objective has priority 0 at the gateway");
        fails("traffic: {classes: [{name: a, share: 1, tenant: t, headers: {x-llm-d-inference-fairness-id: u}}]}",
                "traffic.classes[0].headers.x-llm-d-inference-fairness-id: already set by the class's tenant");
        fails("""
                traffic:
                  tenants: [{name: t, share: 1, headers: {x-team: a}}]
                  tiers: [{objective: x, share: 1, headers: {x-team: b}}]
                """, "traffic.tenants[0].headers.x-team: traffic.tiers[0] sets it too");
    }
}
