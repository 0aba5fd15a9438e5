package dev.jetway.scheduler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.SchedulingProfile;
import dev.jetway.scheduler.SchedulingResult;
import dev.jetway.scheduler.WeightedScorer;
import dev.jetway.scheduler.plugins.datalayer.DataLayerPlugin;
import dev.jetway.scheduler.plugins.filter.PrefixCacheAffinityFilter;
import dev.jetway.scheduler.plugins.picker.MaxScorePicker;
import dev.jetway.scheduler.plugins.producer.ApproxPrefixCacheProducer;
import dev.jetway.scheduler.plugins.producer.TokenProducer;
import dev.jetway.scheduler.plugins.profile.SingleProfileHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class EndpointPickerConfigTest {

    static final List<String> POLICIES = EndpointPickerConfig.BUILT_IN_POLICIES;

    private static EndpointPickerConfig fixture(String name) throws IOException {
        try (InputStream in = EndpointPickerConfigTest.class.getResourceAsStream("/llmd/" + name)) {
            return EndpointPickerConfig.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
        }
    }

    private static Scheduler build(String yaml) {
        return Scheduler.fromConfig(EndpointPickerConfig.parse(yaml, "test.yaml"), Fixtures.env(1));
    }

    private static Map<String, Double> weights(SchedulingProfile p) {
        return p.scorers().stream().collect(Collectors.toMap(s -> s.scorer().name(), WeightedScorer::weight));
    }

    @Test
    void exampleAYieldsTheHelmChartPipeline() throws IOException {
        Scheduler s = Scheduler.fromConfig(fixture("example-a-default.yaml"), Fixtures.env(1));
        assertThat(s.profiles()).containsOnlyKeys("default");
        SchedulingProfile p = s.profiles().get("default");
        assertThat(weights(p)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "queue-scorer", 2.0, "kv-cache-utilization-scorer", 2.0, "prefix-cache-scorer", 3.0));
        assertThat(p.filters()).isEmpty();
        assertThat(p.picker()).isInstanceOf(MaxScorePicker.class);
        assertThat(s.profileHandler()).isInstanceOf(SingleProfileHandler.class);
        // consumers get their producers: prefix scorer → approx producer → token producer
        assertThat(s.plugin(ApproxPrefixCacheProducer.TYPE, ApproxPrefixCacheProducer.class)).isPresent();
        assertThat(s.plugin(TokenProducer.TYPE, TokenProducer.class)).isPresent();
        DataLayerPlugin metrics = s.plugin("metrics-data-source", DataLayerPlugin.class).orElseThrow();
        assertThat(metrics.metricsPath()).isEqualTo("/metrics");
        assertThat(metrics.metricsScheme()).isEqualTo("http");
        assertThat(metrics.settings()).containsEntry("insecureSkipVerify", true);
        assertThat(s.describe()).contains("prefix-cache-scorer", "weight 3.0", "max-score-picker {maxNumOfEndpoints=1} [default]");
    }

    @Test
    void exampleEYieldsStickyUntilSaturated() throws IOException {
        Scheduler s = Scheduler.fromConfig(fixture("example-e-optimized-baseline.yaml"), Fixtures.env(1));
        SchedulingProfile p = s.profiles().get("default");
        assertThat(p.filters()).singleElement().isInstanceOf(PrefixCacheAffinityFilter.class);
        assertThat(p.filters().getFirst().describeParameters())
                .contains("affinityThreshold=0.8", "maxTTFTPenaltyMs=0.0");
        assertThat(weights(p)).containsExactlyEntriesOf(Map.of("token-load-scorer", 1.0));
        ApproxPrefixCacheProducer producer =
                s.plugin(ApproxPrefixCacheProducer.TYPE, ApproxPrefixCacheProducer.class).orElseThrow();
        assertThat(producer.params().maxBlocksToMatch()).isEqualTo(40960 / 64);
        assertThat(producer.params().blockSizeTokens()).isEqualTo(64);
    }

    @Test
    void exampleBLoadsAsPublishedAndSplitsLongUncachedPrompts() throws IOException {
        Scheduler s = Scheduler.fromConfig(fixture("example-b-pd.yaml"), Fixtures.env(1));
        assertThat(s.profileHandler()).isInstanceOf(dev.jetway.scheduler.plugins.pd.DisaggProfileHandler.class);
        assertThat(s.profiles()).containsOnlyKeys("prefill", "decode");
        assertThat(s.warnings()).allSatisfy(w -> assertThat(w.subject()).isEqualTo("apiVersion"));
        assertThat(s.describe()).contains("disagg-profile-handler", "nonCachedTokens=16");
        Endpoint prefill = Fixtures.labeled("p", Map.of(Endpoint.ROLE_LABEL, "prefill"));
        Endpoint decode = Fixtures.labeled("d", Map.of(Endpoint.ROLE_LABEL, "decode"));
        SchedulingResult r = s.schedule(Fixtures.request("a long prompt ".repeat(200)), List.of(prefill, decode));
        assertThat(r.primaryEndpoint()).isEqualTo(decode);
        assertThat(r.pd().prefillEndpoint()).isEqualTo(prefill);
        assertThat(s.schedule(Fixtures.request("hi"), List.of(prefill, decode)).pd().disaggregate()).isFalse();
    }

    @Test
    void exampleCLoadsAsPublishedWithTheHostsTokenizerAndIndex() throws IOException {
        EndpointPickerConfig c = fixture("example-c-precise.yaml");
        List<String> asked = new java.util.ArrayList<>();
        var services = new dev.jetway.scheduler.SchedulerServices(
                config -> new dev.jetway.kvcache.index.precise.PrecisePrefixIndex(config), (url, model, timeout) -> {
            asked.add(url + " " + model + " " + timeout.toSeconds());
            return dev.jetway.kvcache.tokenize.SimpleWordTokenizer.instance();
        });
        Scheduler s = Scheduler.fromConfig(c, Fixtures.env(1).withServices(services));
        assertThat(asked).containsExactly("http://localhost:8000 hf-repo/model-name 5");
        var producer = s.plugin("precise-prefix-cache-producer",
                dev.jetway.scheduler.plugins.producer.PrecisePrefixCacheProducer.class).orElseThrow();
        assertThat(producer.indexConfig().blockSize()).isEqualTo(64);
        assertThat(weights(s.profiles().get("default"))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "prefix-cache-scorer", 2.0, "kv-cache-utilization-scorer", 1.0, "queue-scorer", 1.0));
        assertThat(s.describe()).contains("precise-prefix-cache-producer {blockSize=64");
    }

    @Test
    void exampleCWithoutAHostThatTokenizesSaysWhy() throws IOException {
        EndpointPickerConfig c = fixture("example-c-precise.yaml");
        assertThatThrownBy(() -> Scheduler.fromConfig(c, Fixtures.env(1)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("plugin 'token-producer' (token-producer): parameter 'vllm'")
                .hasMessageContaining("needs a host that does I/O");
    }

    @ParameterizedTest
    @FieldSource("POLICIES")
    void everyBuiltInPolicyLoads(String policy) {
        var index = new dev.jetway.kvcache.index.precise.PrecisePrefixIndex(
                dev.jetway.kvcache.index.precise.PreciseIndexConfig.defaults(64));
        Scheduler s = Scheduler.fromConfig(EndpointPickerConfig.builtIn(policy), Fixtures.env(1).withPreciseIndex(index));
        assertThat(s.profiles()).hasSize(policy.equals("pd") || policy.equals("jetway-pd") ? 2 : 1);
        assertThat(s.schedule(Fixtures.request("hi there"), Fixtures.endpoints(4)).primaryEndpoint()).isNotNull();
    }

    @Test
    void approximatePolicyMatchesTheLlmd57xSettings() {
        Scheduler s = Scheduler.fromConfig(EndpointPickerConfig.builtIn("approximate"), Fixtures.env(1));
        var producer = s.plugin(ApproxPrefixCacheProducer.TYPE, ApproxPrefixCacheProducer.class).orElseThrow();
        assertThat(producer.params().maxBlocksToMatch()).isEqualTo(256);
        assertThat(producer.params().lruCapacityPerServer()).isEqualTo(31250);
        assertThat(weights(s.profiles().get("default"))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "queue-scorer", 1.0, "kv-cache-utilization-scorer", 1.0, "prefix-cache-scorer", 1.0));
    }

    @Test
    void unknownPolicyListsTheBuiltInOnes() {
        assertThatThrownBy(() -> EndpointPickerConfig.builtIn("exact"))
                .hasMessageContaining("unknown policy 'exact'").hasMessageContaining("approximate");
    }

    @Test
    void withoutProfilesEveryFilterScorerAndPickerGoesIntoDefault() {
        Scheduler s = build("""
                apiVersion: inference.networking.x-k8s.io/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: decode-filter
                - type: queue-scorer
                - name: rnd
                  type: random-picker
                """);
        SchedulingProfile p = s.profiles().get("default");
        assertThat(p.filters()).extracting("name").containsExactly("decode-filter");
        assertThat(weights(p)).containsExactlyEntriesOf(Map.of("queue-scorer", 1.0));
        assertThat(p.picker().name()).isEqualTo("rnd");
        assertThat(s.describe()).contains("deprecated");
    }

    @Test
    void unknownTypeListsTheKnownOnes() {
        assertThatThrownBy(() -> build("""
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: qeue-scorer
                """)).hasMessageContaining("unknown plugin type 'qeue-scorer'; did you mean 'queue-scorer'?");
    }

    @Test
    void aTypoIsReportedOnceWithTheNameItMeantAndDoesNotCascade() {
        assertThatThrownBy(() -> build("""
                apiVersion: llm-d.ai/v1
                kind: EndpointPickerConfig
                plugins:
                - type: queue-scorrer
                - type: max-score-picker
                - type: kv-cache-utilisation-scorer
                schedulingProfiles:
                - name: default
                  plugins:
                  - pluginRef: queue-scorrer
                  - pluginRef: max-score-picker
                  - pluginRef: qeue-scorer
                """)).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).satisfiesExactly(
                        p -> assertThat(p).contains("unknown plugin type 'queue-scorrer'; did you mean 'queue-scorer'?"),
                        p -> assertThat(p).contains("'kv-cache-utilisation-scorer'; did you mean "
                                + "'kv-cache-utilization-scorer'?"),
                        p -> assertThat(p).contains("pluginRef 'qeue-scorer' names no plugin (plugins: "
                                + "max-score-picker")));
        assertThat(Suggestion.closest("zzzzzzzz", java.util.List.of("queue-scorer"))).isEmpty();
        assertThat(Suggestion.distance("scorrer", "scorer")).isEqualTo(1);
        assertThat(Suggestion.distance("sroce", "score")).isEqualTo(2);
    }

    @Test
    void badParametersNameTheFieldAndThePlugin() {
        assertThatThrownBy(() -> build("""
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - name: sticky
                  type: prefix-cache-affinity-filter
                  parameters:
                    affinityThreshold: "high"
                - type: max-score-picker
                  parameters:
                    maxNumOfEndpoint: 2
                """)).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                "test.yaml: plugin 'sticky' (prefix-cache-affinity-filter): parameter 'affinityThreshold' must be a "
                        + "number, got 'high'",
                "test.yaml: plugin 'max-score-picker' (max-score-picker): unknown parameter 'maxNumOfEndpoint' "
                        + "(known: maxNumOfEndpoints)"));
    }

    @Test
    void profileMistakesAreReported() {
        assertThatThrownBy(() -> build("""
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: random-picker
                - type: max-score-picker
                - type: queue-scorer
                schedulingProfiles:
                - name: default
                  plugins:
                  - pluginRef: random-picker
                  - pluginRef: max-score-picker
                  - pluginRef: queue-scorer
                    weight: fast
                  - pluginRef: missing
                """)).hasMessageContaining("weight of 'queue-scorer' must be a number");
        assertThatThrownBy(() -> build("""
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: random-picker
                - type: max-score-picker
                schedulingProfiles:
                - name: default
                  plugins:
                  - pluginRef: random-picker
                  - pluginRef: max-score-picker
                  - pluginRef: missing
                """)).hasMessageContaining("has two pickers").hasMessageContaining("pluginRef 'missing' names no plugin");
    }

    @Test
    void twoProfilesWithoutAHandlerAreAnError() {
        assertThatThrownBy(() -> build("""
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: queue-scorer
                schedulingProfiles:
                - name: a
                  plugins: [{pluginRef: queue-scorer}]
                - name: b
                  plugins: [{pluginRef: queue-scorer}]
                """)).hasMessageContaining("2 scheduling profiles need a profile handler");
    }

    @Test
    void documentLevelMistakes() {
        assertThatThrownBy(() -> EndpointPickerConfig.parse("apiVersion: v9\nkind: Pod\nplugins: []\nextra: 1\n", "x"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(3));
        assertThatThrownBy(() -> EndpointPickerConfig.parse("plugins: [\n", "x")).hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> EndpointPickerConfig.parse("", "x")).hasMessageContaining("empty");
    }

    @Test
    void dataLayerCanSkipDefaultsAndRefsMustResolve() {
        Scheduler s = build("""
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: queue-scorer
                dataLayer:
                  injectDefaults: false
                """);
        assertThat(s.plugins(DataLayerPlugin.class)).isEmpty();
        assertThatThrownBy(() -> build("""
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: queue-scorer
                dataLayer:
                  sources:
                  - pluginRef: scraper
                """)).hasMessageContaining("pluginRef 'scraper' names no plugin");
    }

    @Test
    void oldTypeNamesStillWork() {
        Scheduler s = build("""
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: by-label-selector
                  parameters:
                    matchLabels: {tier: gold}
                - type: kv-cache-scorer
                """);
        assertThat(s.profiles().get("default").filters().getFirst().type()).isEqualTo("label-selector-filter");
    }

    @Test
    void featureGatesAreRead() {
        EndpointPickerConfig c = EndpointPickerConfig.parse("""
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                featureGates: [flowControl, other=false]
                """, "x");
        assertThat(c.featureGate("flowControl")).isTrue();
        assertThat(c.featureGate("other")).isFalse();
    }

    @Test
    void policyOrFileTakesANameOrAPath(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws IOException {
        assertThat(EndpointPickerConfig.policyOrFile("load").source()).isEqualTo("builtin:load");
        java.nio.file.Path file = dir.resolve("mine.yaml");
        java.nio.file.Files.writeString(file, EndpointPickerConfig.builtInText("random"));
        assertThat(EndpointPickerConfig.policyOrFile(file.toString()).source()).isEqualTo(file.toString());
        assertThatThrownBy(() -> EndpointPickerConfig.policyOrFile(dir.resolve("nope.yaml").toString()))
                .hasMessageContaining("cannot read");
        assertThatThrownBy(() -> EndpointPickerConfig.policyOrFile("fastest"))
                .hasMessageContaining("unknown policy 'fastest'").hasMessageContaining("round-robin");
    }
}
