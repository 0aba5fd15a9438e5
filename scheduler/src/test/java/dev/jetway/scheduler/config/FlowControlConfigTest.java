package dev.jetway.scheduler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.flow.ConcurrencyDetector;
import dev.jetway.scheduler.flow.EdfOrdering;
import dev.jetway.scheduler.flow.FcfsOrdering;
import dev.jetway.scheduler.flow.FlowControlConfig;
import dev.jetway.scheduler.flow.GlobalStrictFairness;
import dev.jetway.scheduler.flow.PriorityBand;
import dev.jetway.scheduler.flow.RoundRobinFairness;
import dev.jetway.scheduler.flow.SloDeadlineOrdering;
import dev.jetway.scheduler.flow.StaticUsageLimit;
import dev.jetway.scheduler.flow.StrictBandSelection;
import dev.jetway.scheduler.flow.UtilizationDetector;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowControlConfigTest {

    private static final String HEAD = """
            apiVersion: llm-d.ai/v1
            kind: EndpointPickerConfig
            """;
    private static final String ON = HEAD + "featureGates: [flowControl]\n";

    private static Scheduler build(String yaml) {
        return Scheduler.fromConfig(EndpointPickerConfig.parse(yaml, "test.yaml"), Fixtures.env(1));
    }

    private static FlowControlConfig flow(String yaml) {
        return build(yaml).flowControl();
    }

    private static List<String> warnings(Scheduler s) {
        return s.warnings().stream().map(ConfigWarning::toString).toList();
    }

    private static List<String> problems(String yaml) {
        try {
            build(yaml);
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected the config to be refused");
    }

    @Test
    void aFullLlmDFlowControlConfigLoadsAndResolves() throws IOException {
        String yaml;
        try (InputStream in = getClass().getResourceAsStream("/llmd/example-f-flow-control.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Scheduler s = build(yaml);
        assertThat(s.warnings()).isEmpty();
        FlowControlConfig fc = s.flowControl();
        assertThat(fc.enabled()).isTrue();
        assertThat(fc.maxBytes()).isEqualTo(4L << 30);
        assertThat(fc.maxRequests()).isEqualTo(20_000);
        assertThat(fc.defaultRequestTTL()).isEqualTo(Duration.ofSeconds(30));
        assertThat(fc.noEndpointRequestTTL()).isEqualTo(Duration.ofMinutes(5));
        assertThat(fc.enableEviction()).isTrue();
        assertThat(fc.usageLimit()).isInstanceOf(StaticUsageLimit.class);
        assertThat(fc.usageLimit().ceiling(0, 0, 3, 10, -1)).isEqualTo(0.95);
        assertThat(fc.bandSelection()).isInstanceOf(StrictBandSelection.class);
        assertThat(fc.detector()).isInstanceOfSatisfying(ConcurrencyDetector.class, d -> assertThat(d.params())
                .isEqualTo(new ConcurrencyDetector.Params(ConcurrencyDetector.Mode.HYBRID, 64, 500_000, 0.1)));
        assertThat(fc.detector()).isSameAs(s.plugin("concurrency-detector", ConcurrencyDetector.class).orElseThrow());

        assertThat(fc.bands()).extracting(PriorityBand::priority).containsExactly(100, 0, -10);
        PriorityBand interactive = fc.bandFor(100);
        assertThat(interactive.ordering()).isInstanceOf(SloDeadlineOrdering.class);
        assertThat(interactive.fairness()).isInstanceOf(GlobalStrictFairness.class); // default
        assertThat(interactive.requestTTL()).isEqualTo(Duration.ofSeconds(10));
        assertThat(interactive.maxRequests()).isEqualTo(PriorityBand.DEFAULT_MAX_REQUESTS);
        assertThat(interactive.maxBytes()).isEqualTo(PriorityBand.DEFAULT_MAX_BYTES);
        PriorityBand standard = fc.bandFor(0);
        assertThat(standard.maxBytes()).isEqualTo(2L << 30);
        assertThat(standard.maxRequests()).isEqualTo(10_000);
        assertThat(standard.fairness()).isInstanceOf(RoundRobinFairness.class);
        assertThat(standard.ordering()).isInstanceOf(EdfOrdering.class);
        assertThat(standard.requestTTL()).isEqualTo(Duration.ofSeconds(30)); // the global TTL
        assertThat(fc.bandFor(-10).maxRequests()).isEqualTo(100);
        assertThat(fc.bandFor(-10).requestTTL()).isEqualTo(Duration.ofSeconds(30));
        // priorities nobody listed: the templates
        PriorityBand other = fc.bandFor(50);
        assertThat(other.priority()).isEqualTo(50);
        assertThat(other.maxRequests()).isEqualTo(1000);
        assertThat(other.fairness()).isInstanceOf(RoundRobinFairness.class);
        PriorityBand sheddable = fc.bandFor(-1);
        assertThat(sheddable.maxRequests()).isEqualTo(200);
        assertThat(sheddable.maxBytes()).isEqualTo(100_000_000);
        assertThat(sheddable.requestTTL()).isEqualTo(Duration.ofSeconds(5));
        assertThat(sheddable.fairness()).isInstanceOf(GlobalStrictFairness.class);

        // the policies are plugins of the config but in no profile
        assertThat(s.profiles().get("default").filters()).isEmpty();
        assertThat(s.profiles().get("default").scorers()).hasSize(3);
        assertThat(s.describe()).contains(
                "flow control: on (feature gate flowControl)",
                "limits: maxRequests 20000, maxBytes 4294967296 (over all bands)",
                "queue TTL: defaultRequestTTL 30s, noEndpointRequestTTL 300s",
                "saturation detector: concurrency-detector {concurrencyMode=hybrid, maxConcurrency=64, "
                        + "maxTokenConcurrency=500000, headroom=0.1}",
                "usage limit: static-usage-limit-policy {threshold=0.95}",
                "(strict-band-selection-policy)",
                "eviction: on",
                "priority 100: maxRequests 5000, maxBytes 1000000000, fairness global-strict-fairness-policy, "
                        + "ordering slo-deadline-ordering-policy, requestTTL 10s",
                "other negative priorities: maxRequests 200, maxBytes 100000000");
    }

    @Test
    void theGateAloneGivesLlmDsDefaults() {
        Scheduler s = build(ON);
        FlowControlConfig fc = s.flowControl();
        assertThat(fc.enabled()).isTrue();
        assertThat(fc.maxBytes()).isZero();
        assertThat(fc.maxRequests()).isZero();
        assertThat(fc.defaultRequestTTL()).isEqualTo(Duration.ofSeconds(60));
        assertThat(fc.noEndpointRequestTTL()).isEqualTo(Duration.ofSeconds(60));
        assertThat(fc.enableEviction()).isFalse();
        assertThat(fc.bands()).isEmpty();
        assertThat(fc.defaultNegativeBand()).isNull();
        PriorityBand band = fc.bandFor(-3);
        assertThat(band.maxBytes()).isEqualTo(1_000_000_000);
        assertThat(band.maxRequests()).isEqualTo(5000);
        assertThat(band.fairness()).isInstanceOf(GlobalStrictFairness.class);
        assertThat(band.ordering()).isInstanceOf(FcfsOrdering.class);
        assertThat(band.requestTTL()).isEqualTo(Duration.ofSeconds(60));
        assertThat(fc.usageLimit()).isEqualTo(new StaticUsageLimit(StaticUsageLimit.TYPE, 1.0));
        assertThat(fc.detector()).isInstanceOfSatisfying(UtilizationDetector.class,
                d -> assertThat(d.params()).isEqualTo(UtilizationDetector.Params.DEFAULT));
        assertThat(s.warnings()).isEmpty();
        // injected defaults are not plugins of the pipeline
        assertThat(s.plugins()).noneMatch(p -> p.type().equals(UtilizationDetector.TYPE));
        assertThat(s.describe()).contains("saturation detector: utilization-detector {queueDepthThreshold=5, "
                + "kvCacheUtilThreshold=0.8, metricsStalenessThreshold=200ms, headroom=0.0;",
                "other priorities: maxRequests 5000, maxBytes 1000000000, fairness global-strict-fairness-policy, "
                        + "ordering fcfs-ordering-policy, requestTTL 60s",
                "other negative priorities: as other priorities");
    }

    @Test
    void theGateTakesItsValueForms() {
        assertThat(flow(HEAD + "featureGates: [flowControl=true]\n").enabled()).isTrue();
        assertThat(flow(HEAD + "featureGates: [flowControl, flowControl=false]\n").enabled()).isFalse();
        assertThat(flow(HEAD).enabled()).isFalse();
        assertThat(build(HEAD).describe()).contains("flow control: off (feature gate flowControl not set)");
        assertThat(build(ON).warnings()).isEmpty();
    }

    @Test
    void aSectionWithTheGateOffIsCheckedAndNamedButNotUsed() {
        Scheduler s = build(HEAD + "flowControl: {maxRequests: 10, defaultRequestTTL: 5s}\n");
        assertThat(s.flowControl().enabled()).isFalse();
        assertThat(s.flowControl().maxRequests()).isEqualTo(10);
        assertThat(warnings(s)).containsExactly("top level: flowControl {maxRequests, defaultRequestTTL} "
                + "(llm-d.ai/v1alpha1, v1) → ignored: the flowControl feature gate is off, so it is checked but "
                + "not used (as in llm-d); add featureGates: [flowControl]");
        assertThat(problems(HEAD + "flowControl: {maxRequests: -1}\n"))
                .containsExactly("test.yaml: flowControl.maxRequests must not be negative, got -1");
    }

    @Test
    void quantitiesAndDurationsTakeLlmDsForms() {
        FlowControlConfig fc = flow(ON + """
                flowControl:
                  maxBytes: 1.5Gi
                  maxRequests: 2k
                  defaultRequestTTL: 1m30s
                  noEndpointRequestTTL: 0s
                  priorityBands:
                  - {priority: 1, maxBytes: "0", maxRequests: 0, defaultRequestTTL: 250ms}
                  - {priority: 2, maxBytes: 500M, maxRequests: "1e2", defaultRequestTTL: 0s}
                """);
        assertThat(fc.maxBytes()).isEqualTo(3L << 29);
        assertThat(fc.maxRequests()).isEqualTo(2000);
        assertThat(fc.defaultRequestTTL()).isEqualTo(Duration.ofSeconds(90));
        assertThat(fc.noEndpointRequestTTL()).isZero(); // explicit 0s: no limit while the pool is empty
        assertThat(fc.bandFor(1).maxBytes()).isEqualTo(PriorityBand.DEFAULT_MAX_BYTES); // "0" = the default
        assertThat(fc.bandFor(1).maxRequests()).isEqualTo(PriorityBand.DEFAULT_MAX_REQUESTS);
        assertThat(fc.bandFor(1).requestTTL()).isEqualTo(Duration.ofMillis(250));
        assertThat(fc.bandFor(2).maxBytes()).isEqualTo(500_000_000);
        assertThat(fc.bandFor(2).maxRequests()).isEqualTo(100);
        assertThat(fc.bandFor(2).requestTTL()).isZero();
        assertThat(flow(ON + "flowControl: {defaultRequestTTL: 0s}\n").noEndpointRequestTTL())
                .as("noEndpointRequestTTL follows defaultRequestTTL").isZero();
    }

    @Test
    void badValuesAreProblemsNamingTheField() {
        assertThat(problems(ON + """
                flowControl:
                  maxBytes: -1Gi
                  maxRequests: lots
                  defaultRequestTTL: soon
                  enableEviction: "yes"
                  priorityBands:
                  - {priority: 1, maxRequests: 1GB}
                  - {maxBytes: 1}
                  - {priority: 1}
                  - {priority: 1.5}
                  surprise: true
                """)).containsExactlyInAnyOrder(
                "test.yaml: flowControl: unknown field 'surprise' (known: bandSelectionPolicyPluginRef, "
                        + "defaultNegativePriorityBand, defaultPriorityBand, defaultRequestTTL, enableEviction, "
                        + "maxBytes, maxRequests, noEndpointRequestTTL, priorityBands, saturationDetector, "
                        + "usageLimitPolicyPluginRef)",
                "test.yaml: flowControl.maxBytes must not be negative, got -1Gi",
                "test.yaml: flowControl.maxRequests: 'lots' is not a quantity like 100, 1k, 500M or 1Gi",
                "test.yaml: flowControl.defaultRequestTTL must be a duration like 30s, 500ms or 2m (0s = no limit), "
                        + "got 'soon'",
                "test.yaml: flowControl.enableEviction must be true or false, got 'yes'",
                "test.yaml: flowControl.priorityBands[0].maxRequests: '1GB' is not a quantity like 100, 1k, 500M or "
                        + "1Gi",
                "test.yaml: flowControl.priorityBands[1]: priority is missing",
                "test.yaml: flowControl.priorityBands[2]: priority 1 is listed twice",
                "test.yaml: flowControl.priorityBands[3].priority must be a whole number, got '1.5'");
    }

    @Test
    void aReferenceToNothingOrToAPluginOfTheWrongKindIsAProblem() {
        assertThat(problems(ON + """
                plugins:
                - type: queue-scorer
                - type: fcfs-ordering-policy
                  name: fifo
                flowControl:
                  usageLimitPolicyPluginRef: nowhere
                  saturationDetector: {pluginRef: queue-scorer}
                  defaultPriorityBand: {fairnessPolicyRef: fifo}
                """)).containsExactlyInAnyOrder(
                "test.yaml: flowControl.usageLimitPolicyPluginRef: pluginRef 'nowhere' names no plugin (plugins: "
                        + "queue-scorer, fifo, metrics-data-source, core-metrics-extractor)",
                "test.yaml: flowControl.saturationDetector.pluginRef: 'queue-scorer' is a scorer (queue-scorer), not "
                        + "a saturation detector",
                "test.yaml: flowControl.defaultPriorityBand.fairnessPolicyRef: 'fifo' is an ordering policy "
                        + "(fcfs-ordering-policy), not a fairness policy");
        assertThat(problems(ON + """
                plugins:
                - type: round-robbin-fairness-policy
                flowControl:
                  priorityBands: [{priority: 0, fairnessPolicyRef: round-robbin-fairness-policy}]
                """)).anySatisfy(p -> assertThat(p).contains("unknown plugin type 'round-robbin-fairness-policy'"));
        assertThat(problems(ON + """
                plugins: [{type: openai-parser}]
                flowControl: {defaultPriorityBand: {fairnessPolicyRef: openai-parser}}
                """)).containsExactly("test.yaml: flowControl.defaultPriorityBand.fairnessPolicyRef: 'openai-parser' "
                + "is a request parser (openai-parser), not a fairness policy");
        assertThat(problems(ON + """
                plugins:
                - type: utilization-detector
                  parameters: {kvCacheUtilThreshold: 1.5}
                """)).containsExactly("test.yaml: plugin 'utilization-detector' (utilization-detector): parameter "
                + "'kvCacheUtilThreshold' must be in (0, 1], got 1.5");
    }

    @Test
    void aReferenceToABuiltInTypeNobodyDeclaredGetsThatTypesDefaults() {
        FlowControlConfig fc = flow(ON + """
                flowControl:
                  saturationDetector: {pluginRef: concurrency-detector}
                  priorityBands: [{priority: 0, fairnessPolicyRef: round-robin-fairness-policy,
                                   orderingPolicyRef: edf-ordering-policy}]
                """);
        assertThat(fc.detector()).isInstanceOfSatisfying(ConcurrencyDetector.class,
                d -> assertThat(d.params()).isEqualTo(ConcurrencyDetector.Params.DEFAULT));
        assertThat(fc.bandFor(0).fairness()).isInstanceOf(RoundRobinFairness.class);
        assertThat(fc.bandFor(0).ordering()).isInstanceOf(EdfOrdering.class);
    }

    @Test
    void detectorsAndPoliciesTakeLlmDsParameters() {
        Scheduler s = build(ON + """
                plugins:
                - type: utilization-detector
                  parameters: {queueDepthThreshold: 8, kvCacheUtilThreshold: 0.9, metricsStalenessThreshold: 2s,
                               headroom: 0.2, inFlightLoadProducerName: inflight, stalenessPolicy: ignore}
                - type: static-usage-limit-policy
                  parameters: {threshold: 0.8}
                flowControl:
                  usageLimitPolicyPluginRef: static-usage-limit-policy
                """);
        assertThat(s.flowControl().detector()).isInstanceOfSatisfying(UtilizationDetector.class,
                d -> assertThat(d.params()).isEqualTo(new UtilizationDetector.Params(8, 0.9, Duration.ofSeconds(2),
                        0.2)));
        assertThat(s.flowControl().usageLimit().ceiling(0, 0, 1, 0, 0)).isEqualTo(0.8);
        assertThat(warnings(s)).containsExactly("plugin 'utilization-detector': stalenessPolicy: ignore (llm-d-router "
                + "2026 (#2492)) → ignored: Jetway neither counts a stale endpoint as saturated nor leaves it out: it "
                + "estimates it from its last scrape and the gateway's in-flight counts, and fails open when every "
                + "endpoint is stale");
        assertThat(problems(ON + """
                plugins:
                - type: concurrency-detector
                  parameters: {concurrencyMode: bytes}
                """)).singleElement().asString().contains("concurrencyMode", "requests, tokens, hybrid");
    }

    @Test
    void llmDsOtherPoliciesLoadWithWarningsNamingWhatRunsInstead() {
        Scheduler s = build(ON + """
                plugins:
                - type: program-aware-fairness
                  parameters: {lasWeightService: 0.8, lasHalfLifeSeconds: 60}
                - type: vtc-fairness-policy
                - type: soft-reflective-ceiling-policy
                - type: sheddable-eviction-filter
                - type: priority-then-time-eviction-order-policy
                flowControl:
                  usageLimitPolicyPluginRef: soft-reflective-ceiling-policy
                  priorityBands: [{priority: 0, fairnessPolicyRef: program-aware-fairness}]
                """);
        assertThat(s.flowControl().bandFor(0).fairness()).isInstanceOf(RoundRobinFairness.class);
        assertThat(s.flowControl().usageLimit().ceiling(-1, 2, 3, 10, -1)).isEqualTo(1.0);
        assertThat(warnings(s)).containsExactly(
                "plugin 'program-aware-fairness': type: program-aware-fairness (llm-d-router flow control) → "
                        + "round-robin-fairness-policy (Jetway has no least-attained-service accounting yet; flows "
                        + "take turns one request each, which shares dispatches (not tokens) equally)",
                "plugin 'vtc-fairness-policy': type: vtc-fairness-policy (llm-d-router flow control) → "
                        + "round-robin-fairness-policy (Jetway does not count virtual tokens per flow yet; flows take "
                        + "turns one request each, so a tenant of large prompts gets as many dispatches as one of "
                        + "small)",
                "plugin 'soft-reflective-ceiling-policy': type: soft-reflective-ceiling-policy (llm-d-router flow "
                        + "control) → static-usage-limit-policy {threshold=1.0} (Jetway does not hold lower bands "
                        + "back at a lower saturation yet; every band dispatches up to 1.0 and strict priority alone "
                        + "orders them)",
                "plugin 'sheddable-eviction-filter': type: sheddable-eviction-filter (llm-d-router flow control) → "
                        + "Jetway's built-in eviction (with enableEviction, Jetway evicts only sheddable (priority < 0) "
                        + "requests, the lowest priority first, then the newest: the behaviour of "
                        + "sheddable-eviction-filter with priority-then-time-eviction-order-policy)",
                "plugin 'priority-then-time-eviction-order-policy': type: priority-then-time-eviction-order-policy "
                        + "(llm-d-router flow control) → Jetway's built-in eviction (with enableEviction, Jetway "
                        + "evicts only sheddable (priority < 0) requests, the lowest priority first, then the newest: "
                        + "the behaviour of sheddable-eviction-filter with priority-then-time-eviction-order-policy)");
    }

    @Test
    void anUnknownBandSelectionPolicyIsAcceptedWithAWarning() {
        Scheduler s = build(ON + """
                plugins:
                - type: weighted-band-selection
                  name: bands
                flowControl: {bandSelectionPolicyPluginRef: bands}
                """);
        assertThat(s.flowControl().bandSelection()).isNull();
        assertThat(warnings(s)).singleElement().asString().startsWith("plugin 'bands' (weighted-band-selection)")
                .contains("Jetway always offers bands the chance to dispatch in strict priority order");
    }

    @Test
    void theDeprecatedTopLevelDetectorIsReadAsTodaysForm() {
        // GIE v1.x: thresholds inline
        Scheduler gie = build("""
                apiVersion: inference.networking.x-k8s.io/v1alpha1
                kind: EndpointPickerConfig
                featureGates: [flowControl]
                saturationDetector: {queueDepthThreshold: 3, kvCacheUtilThreshold: 0.7,
                                     metricsStalenessThreshold: 1s}
                """);
        assertThat(gie.flowControl().detector()).isInstanceOfSatisfying(UtilizationDetector.class,
                d -> assertThat(d.params()).isEqualTo(new UtilizationDetector.Params(3, 0.7, Duration.ofSeconds(1),
                        0)));
        assertThat(warnings(gie)).contains("top level: saturationDetector {queueDepthThreshold, "
                + "kvCacheUtilThreshold, metricsStalenessThreshold} (GIE v1.0-v1.x) → a utilization-detector with "
                + "these parameters as flowControl.saturationDetector");
        // llm-d.ai/v1alpha1: a pluginRef; the new field wins when both are set
        Scheduler both = build(ON + """
                plugins:
                - {type: concurrency-detector, name: old}
                - {type: utilization-detector, name: new}
                saturationDetector: {pluginRef: old}
                flowControl: {saturationDetector: {pluginRef: new}}
                """);
        assertThat(both.flowControl().detector().name()).isEqualTo("new");
        assertThat(warnings(both)).containsExactly("top level: saturationDetector.pluginRef (llm-d.ai/v1alpha1 "
                + "(deprecated, llm-d-router #1308)) → ignored: flowControl.saturationDetector.pluginRef is also "
                + "given and wins");
        Scheduler old = build(ON + """
                plugins: [{type: concurrency-detector, name: old}]
                saturationDetector: {pluginRef: old}
                """);
        assertThat(old.flowControl().detector().name()).isEqualTo("old");
        assertThat(problems(ON + "saturationDetector: {queueDepthThreshold: 0}\n")).singleElement().asString()
                .contains("saturationDetector (top level)", "queueDepthThreshold");
        assertThat(problems(ON + """
                plugins: [{type: fancy-detector, name: old}]
                saturationDetector: {pluginRef: old}
                """)).singleElement().asString().contains("unknown plugin type 'fancy-detector'");
    }

    @Test
    void aDetectorAProfileListsIsItsFilterAndOtherPoliciesStayOut() {
        Scheduler s = build(ON + """
                plugins:
                - type: utilization-detector
                - type: round-robin-fairness-policy
                - type: queue-scorer
                schedulingProfiles:
                - name: default
                  plugins:
                  - pluginRef: utilization-detector
                  - pluginRef: round-robin-fairness-policy
                  - pluginRef: queue-scorer
                """);
        assertThat(s.profiles().get("default").filters()).singleElement().isInstanceOf(UtilizationDetector.class);
        assertThat(warnings(s)).containsExactly("profile 'default': pluginRef: round-robin-fairness-policy (llm-d "
                + "EndpointPickerConfig) → ignored: 'round-robin-fairness-policy' is a fairness policy: it acts from "
                + "the flowControl section, not in a profile");
        // without profiles, the default profile takes the filters and scorers, not the detector
        Scheduler d = build(ON + """
                plugins:
                - type: utilization-detector
                - type: queue-scorer
                """);
        assertThat(d.profiles().get("default").filters()).isEmpty();
        assertThat(d.profiles().get("default").scorers()).hasSize(1);
    }

    @Test
    void aConfigBuiltByHandKeepsItsInvariants() {
        FlowControlConfig d = FlowControlConfig.defaults(true);
        assertThatThrownBy(() -> new FlowControlConfig(true, 0, 0, d.defaultRequestTTL(), d.noEndpointRequestTTL(),
                d.defaultBand(), null, List.of(d.defaultBand().at(1), d.defaultBand().at(1)), d.usageLimit(),
                d.detector(), false, null)).hasMessageContaining("two bands have priority 1");
        assertThatThrownBy(() -> new PriorityBand(0, 0, 1, d.defaultBand().fairness(), d.defaultBand().ordering(),
                Duration.ZERO)).hasMessageContaining("positive");
        assertThat(FlowControlConfig.defaults(false).describe()).isEqualTo(
                "flow control: off (feature gate flowControl not set)\n");
    }
}
