package dev.jetway.scheduler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.kvcache.index.precise.PreciseIndexConfig;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.SchedulingProfile;
import dev.jetway.scheduler.WeightedScorer;
import dev.jetway.scheduler.flow.FlowControlConfig;
import dev.jetway.scheduler.flow.RoundRobinFairness;
import dev.jetway.scheduler.flow.UtilizationDetector;
import dev.jetway.scheduler.plugins.datalayer.DataLayerPlugin;
import dev.jetway.scheduler.plugins.filter.LabelSelectorFilter;
import dev.jetway.scheduler.plugins.filter.PrefixCacheAffinityFilter;
import dev.jetway.scheduler.plugins.filter.UtilizationFilter;
import dev.jetway.scheduler.plugins.picker.MaxScorePicker;
import dev.jetway.scheduler.plugins.producer.ApproxPrefixCacheProducer;
import dev.jetway.scheduler.plugins.producer.TokenProducer;
import dev.jetway.scheduler.plugins.profile.SingleProfileHandler;
import dev.jetway.scheduler.plugins.scorer.ActiveRequestScorer;
import dev.jetway.scheduler.plugins.scorer.KvCacheUtilizationScorer;
import dev.jetway.scheduler.plugins.scorer.LoadAwareScorer;
import dev.jetway.scheduler.plugins.scorer.NoHitLruScorer;
import dev.jetway.scheduler.plugins.scorer.PrecisePrefixCacheScorer;
import dev.jetway.scheduler.plugins.scorer.PrefixCacheScorer;
import dev.jetway.scheduler.plugins.scorer.SessionAffinityScorer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Configs of earlier GIE and llm-d releases (fixtures under llmd/history/) load, with the old values in effect and
 * a warning for each old form; names no release had still fail.
 */
class LegacyConfigTest {

    static final List<String> POLICIES = EndpointPickerConfig.BUILT_IN_POLICIES;

    private static EndpointPickerConfig history(String name) throws IOException {
        try (InputStream in = LegacyConfigTest.class.getResourceAsStream("/llmd/history/" + name)) {
            return EndpointPickerConfig.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
        }
    }

    private static Scheduler build(EndpointPickerConfig config) {
        return Scheduler.fromConfig(config, Fixtures.env(1));
    }

    private static Scheduler build(String yaml) {
        return build(EndpointPickerConfig.parse(yaml, "test.yaml"));
    }

    private static SchedulerEnvironment withIndex(int blockSize) {
        return Fixtures.env(1).withPreciseIndex(new PrecisePrefixIndex(PreciseIndexConfig.defaults(blockSize)));
    }

    private static List<String> lines(Scheduler s) {
        return s.warnings().stream().map(ConfigWarning::toString).toList();
    }

    private static Map<String, Double> weights(SchedulingProfile p) {
        return p.scorers().stream().collect(Collectors.toMap(s -> s.scorer().name(), WeightedScorer::weight));
    }

    @Test
    void gieV10PrefixScorerParametersConfigureTheProducerItReads() throws IOException {
        Scheduler s = build(history("gie-v1.0.yaml"));
        ApproxPrefixCacheProducer producer =
                s.plugin(ApproxPrefixCacheProducer.TYPE, ApproxPrefixCacheProducer.class).orElseThrow();
        // 256 characters = 64 tokens per block; 256 such blocks = 16384 tokens = 256 blocks of 64 tokens
        assertThat(producer.params()).isEqualTo(new ApproxPrefixCacheProducer.Params(64, 256, 50_000, true));
        assertThat(s.describe()).contains("approx-prefix-cache-producer {blockSizeTokens=64")
                .doesNotContain("approx-prefix-cache-producer {blockSizeTokens=64, maxPrefixBlocksToMatch=256, "
                        + "lruCapacityPerServer=50000, autoTune=true (~25 bytes per block per endpoint)} [default]")
                .contains("(apiVersion inference.networking.x-k8s.io/v1alpha1, deprecated: read as llm-d.ai/v1)");
        SchedulingProfile p = s.profiles().get("default");
        assertThat(weights(p)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "queue-scorer", 1.0, "kv-cache-scorer", 1.0, "prefix-cache-scorer", 3.0));
        assertThat(p.scorers()).anySatisfy(w -> assertThat(w.scorer()).isInstanceOf(KvCacheUtilizationScorer.class));
        assertThat(((MaxScorePicker) p.picker()).describeParameters()).contains("maxNumOfEndpoints=2");
        assertThat(lines(s)).containsExactly(
                "apiVersion: inference.networking.x-k8s.io/v1alpha1 (GIE v0.5-v1.5, early llm-d) → llm-d.ai/v1",
                "top level: saturationDetector {queueDepthThreshold, kvCacheUtilThreshold, metricsStalenessThreshold}"
                        + " (GIE v1.0-v1.x) → a utilization-detector with these parameters as "
                        + "flowControl.saturationDetector",
                "plugin 'prefix-cache-scorer': hashBlockSize: 256 (GIE v0.5-v1.0, llm-d <= v0.6) → "
                        + "approx-prefix-cache-producer blockSizeTokens: 64 (characters / 4; at least 64 in Jetway's "
                        + "approximate index)",
                "plugin 'prefix-cache-scorer': maxPrefixBlocksToMatch: 256 (GIE v0.5-v1.5, llm-d <= v0.8) → "
                        + "approx-prefix-cache-producer maxPrefixTokensToMatch: 16384 (the same prefix length: 256 "
                        + "blocks of 256 characters (~64 tokens))",
                "plugin 'prefix-cache-scorer': lruCapacityPerServer: 50000 (GIE v0.5-v1.5, llm-d <= v0.8) → "
                        + "approx-prefix-cache-producer lruCapacityPerServer: 50000",
                "plugin 'kv-cache-scorer': type: kv-cache-scorer (GIE v0.5) → type: kv-cache-utilization-scorer");
        assertThat(s.warnings()).allSatisfy(w -> assertThat(w.toString()).doesNotContain("\n"));
    }

    @Test
    void gieV12TwoScorersWithDifferentIndexesGetAProducerEach() throws IOException {
        Scheduler s = build(history("gie-v1.2-datalayer.yaml"));
        var gpu = s.plugin("approx-prefix-cache-producer", ApproxPrefixCacheProducer.class).orElseThrow();
        assertThat(gpu.params().blockSizeTokens()).isEqualTo(64); // 128 characters = 32 tokens, Jetway's minimum 64
        assertThat(gpu.params().autoTune()).isTrue();
        var cpu = s.plugin("approx-prefix-cache-producer-for-cpu-prefix-cache-scorer",
                ApproxPrefixCacheProducer.class).orElseThrow();
        assertThat(cpu.params().autoTune()).isFalse();
        assertThat(cpu.params().lruCapacityPerServer()).isEqualTo(41_000);
        assertThat(s.plugin("cpu-prefix-cache-scorer", PrefixCacheScorer.class).orElseThrow()
                .prefixMatchProducerName()).isEqualTo("approx-prefix-cache-producer-for-cpu-prefix-cache-scorer");
        assertThat(s.plugin("gpu-prefix-cache-scorer", PrefixCacheScorer.class).orElseThrow()
                .prefixMatchProducerName()).isEqualTo("approx-prefix-cache-producer");
        // data → dataLayer, model-server-protocol-metrics → core-metrics-extractor, refs resolve
        assertThat(s.plugin("model-server-protocol-metrics", DataLayerPlugin.class).orElseThrow().type())
                .isEqualTo("core-metrics-extractor");
        assertThat(lines(s)).contains(
                "top level: data (GIE v1.x) → dataLayer",
                "top level: featureGates [dataLayer] (GIE v1.0+, llm-d) → ignored: recorded; the only gate Jetway "
                        + "acts on is flowControl",
                "plugin 'gpu-prefix-cache-scorer' (prefix-cache-scorer): blockSize: 128 (GIE v1.1-v1.2) → "
                        + "approx-prefix-cache-producer blockSizeTokens: 32 (characters / 4; at least 64 in Jetway's "
                        + "approximate index)",
                "plugin 'cpu-prefix-cache-scorer' (prefix-cache-scorer): lruCapacityPerServer: 41000 "
                        + "(GIE v0.5-v1.5, llm-d <= v0.8) → approx-prefix-cache-producer "
                        + "'approx-prefix-cache-producer-for-cpu-prefix-cache-scorer' lruCapacityPerServer: 41000",
                "plugin 'model-server-protocol-metrics': type: model-server-protocol-metrics "
                        + "(GIE v1.x, llm-d v0.7-v0.8) → type: core-metrics-extractor");
        assertThat(lines(s)).anySatisfy(l -> assertThat(l).startsWith(
                "plugin 'model-server-protocol-metrics' (core-metrics-extractor): kvUsageSpec"));
    }

    @Test
    void gieV05FilterChainKeepsTheQueueLimitAndDropsTheRetiredFilters() throws IOException {
        Scheduler s = build(history("gie-v0.5-filter-chain.yaml"));
        SchedulingProfile p = s.profiles().get("default");
        assertThat(p.filters()).singleElement().isInstanceOfSatisfying(UtilizationFilter.class, f -> {
            assertThat(f.name()).isEqualTo("low-queue-filter");
            assertThat(f.describeParameters()).contains("waiting-queue", "128");
        });
        assertThat(p.picker()).isInstanceOf(MaxScorePicker.class);
        assertThat(p.picker().name()).isEqualTo("max-score");
        assertThat(s.profileHandler()).isInstanceOf(SingleProfileHandler.class);
        assertThat(s.plugins()).noneMatch(x -> x.name().equals("low-latency-filter")
                || x.name().equals("least-queue-filter"));
        assertThat(lines(s)).contains(
                "plugin 'low-queue-filter': low-queue-filter {threshold: 128} (GIE v0.5 (removed in GIE v1.0)) → "
                        + "utilization-filter {waiting-queue <= 128, fallbackOnEmpty}",
                "plugin 'low-latency-filter' (decision-tree-filter): type: decision-tree-filter (GIE v0.5 (removed in "
                        + "GIE v1.0)) → ignored: dropped from the pipeline and its profiles; use filters in sequence, "
                        + "or scorers",
                "plugin 'max-score': type: max-score (GIE main, mid-2025 (before v0.5)) → type: max-score-picker");
    }

    @Test
    void llmdV02CacheTrackingModeIsThePreciseScorer() throws IOException {
        Scheduler s = Scheduler.fromConfig(history("llmd-v0.2.yaml"), withIndex(64));
        var precise = s.plugin("prefix-cache-scorer", PrecisePrefixCacheScorer.class).orElseThrow();
        assertThat(precise.producer().indexConfig().blockSize()).isEqualTo(64); // from indexerConfig.tokenProcessorConfig
        assertThat(precise.producer().kvEvents().concurrency()).isEqualTo(4);
        assertThat(s.plugin("load-aware-scorer", LoadAwareScorer.class).orElseThrow().threshold()).isEqualTo(100);
        assertThat(s.plugin("active-request-scorer", ActiveRequestScorer.class)).isPresent();
        assertThat(s.plugin("by-label-selector", LabelSelectorFilter.class)).isPresent();
        assertThat(weights(s.profiles().get("default"))).containsEntry("prefix-cache-scorer", 2.0);
        assertThat(lines(s)).contains(
                "plugin 'prefix-cache-scorer': mode: cache_tracking (llm-d v0.2) → type: precise-prefix-cache-scorer "
                        + "(today: precise-prefix-cache-producer + prefix-cache-scorer)",
                "plugin 'prefix-cache-scorer': indexerConfig.tokenProcessorConfig (llm-d v0.2-v0.3) → "
                        + "tokenProcessorConfig (blockSize 64)",
                "plugin 'active-request-scorer': requestTimeout: 2m (llm-d-inference-scheduler v0.2+ (legacy, "
                        + "ignored, in llm-d v0.10)) → ignored: Jetway releases a request's count when it completes, "
                        + "so none can go stale",
                "plugin 'by-label-selector': type: by-label-selector (llm-d-inference-scheduler v0.2-v0.6) → type: "
                        + "label-selector-filter");
        assertThat(lines(s)).anySatisfy(l -> assertThat(l).startsWith(
                "plugin 'prefix-cache-scorer': kvEventsConfig.zmqEndpoint: tcp://*:5557 (llm-d v0.2+) → ignored"));
    }

    @Test
    void llmdPreciseAndTokenizerShapesOfV03ToV06() throws IOException {
        Scheduler s = Scheduler.fromConfig(history("llmd-v0.4-precise.yaml"), withIndex(32));
        var precise = s.plugin("precise-prefix-cache-scorer", PrecisePrefixCacheScorer.class).orElseThrow();
        assertThat(precise.producer().indexConfig().blockSize()).isEqualTo(32);
        assertThat(s.plugin("tokenizer", TokenProducer.class).orElseThrow().describeParameters())
                .startsWith("backend=estimate");
        var approx = s.plugin(ApproxPrefixCacheProducer.TYPE, ApproxPrefixCacheProducer.class).orElseThrow();
        assertThat(approx.params().blockSizeTokens()).isEqualTo(128); // blockSize 512 characters
        var sticky = s.plugin("sticky", PrefixCacheAffinityFilter.class).orElseThrow();
        assertThat(sticky.params().maxTTFTPenaltyMs()).isEqualTo(14_000.0); // 286720 tokens / 20480 tok/s
        var prefix = s.plugin("prefix-cache-scorer", PrefixCacheScorer.class).orElseThrow();
        assertThat(prefix.matchLengthWeight()).isEqualTo(0.5);
        assertThat(prefix.matchLengthScaleTokens()).isEqualTo(16384);
        assertThat(s.plugin("no-hit-lru-scorer", NoHitLruScorer.class).orElseThrow().describeParameters())
                .contains("512");
        assertThat(lines(s)).contains(
                "apiVersion: llm-d.ai/v1alpha1 (llm-d <= v0.9 (deprecated by llm-d.ai/v1)) → llm-d.ai/v1",
                "plugin 'sticky' (prefix-cache-affinity-filter): maxTokensInFlightPenalty: 286720 (llm-d v0.8-v0.9 "
                        + "guides (optimized-baseline)) → maxTTFTPenaltyMs: 14000 (tokens / peakPrefillThroughput "
                        + "20480 tok/s)",
                "plugin 'prefix-cache-scorer': prefixLengthWeight: 0.5 (llm-d-router, 2026 (before v0.10)) → "
                        + "matchLengthWeight: 0.5",
                "plugin 'approx-prefix-cache-producer': blockSize: 512 (GIE v1.3+ (deprecated)) → blockSizeTokens: "
                        + "128 (characters / 4)",
                "plugin 'no-hit-lru-scorer': prefixPluginName: prefix-cache-scorer (llm-d-inference-scheduler v0.3+ "
                        + "(deprecated: never used)) → ignored: use prefixMatchInfoProducerName to choose the producer",
                "plugin 'tokenizer': type: tokenizer (llm-d-inference-scheduler, 2026 (before token-producer)) → "
                        + "type: token-producer");
        assertThat(lines(s)).anySatisfy(l -> assertThat(l).startsWith(
                "plugin 'precise-prefix-cache-scorer': indexerConfig.kvBlockIndexConfig.redisConfig"));
        assertThat(lines(s)).anySatisfy(l -> assertThat(l).startsWith("plugin 'tokenizer': udsTokenizerConfig"));
        assertThat(lines(s)).anySatisfy(l -> assertThat(l).startsWith(
                "plugin 'precise-prefix-cache-scorer': indexerConfig.tokenizersPoolConfig"));
    }

    @Test
    void llmdV1LoadsWithItsNewFieldsAcceptedAndNamed() throws IOException {
        EndpointPickerConfig config = history("llmd-v1.yaml");
        assertThat(config.deprecatedApiVersion()).isFalse();
        Scheduler s = build(config);
        assertThat(s.describe()).contains("(apiVersion llm-d.ai/v1)");
        var session = s.plugin("session-affinity-scorer", SessionAffinityScorer.class).orElseThrow();
        assertThat(session.describeParameters())
                .isEqualTo("strategy=session_id, sources=[x-user-session], evictionTtlSeconds=600");
        var approx = s.plugin(ApproxPrefixCacheProducer.TYPE, ApproxPrefixCacheProducer.class).orElseThrow();
        assertThat(approx.params().maxBlocksToMatch()).isEqualTo(32768 / 64);
        assertThat(s.plugin("prefix-cache-scorer", PrefixCacheScorer.class).orElseThrow().matchLengthWeight())
                .isEqualTo(0.3);
        assertThat(s.plugin("file-discovery", DataLayerPlugin.class)).isPresent();
        assertThat(s.plugins()).extracting(x -> x.name()).doesNotContain("openai-parser", "strict-bands", "peers",
                "syncer").contains("utilization-detector", "round-robin-fairness-policy", "fcfs-ordering-policy");
        FlowControlConfig fc = s.flowControl();
        assertThat(fc.enabled()).isTrue();
        assertThat(fc.maxBytes()).isEqualTo(10L << 30);
        assertThat(fc.bandFor(100).requestTTL()).isEqualTo(Duration.ofSeconds(30));
        assertThat(fc.bandFor(100).fairness()).isInstanceOf(RoundRobinFairness.class);
        assertThat(fc.bandFor(7).requestTTL()).isEqualTo(Duration.ofSeconds(60));
        assertThat(fc.detector()).isSameAs(s.plugin("utilization-detector", UtilizationDetector.class).orElseThrow());
        assertThat(fc.bandSelection()).isNull();
        assertThat(s.profiles().get("default").filters()).isEmpty();
        assertThat(config.dataLayer().path("crossReplica").path("syncInterval").asText()).isEqualTo("1s");
        List<String> lines = lines(s);
        assertThat(lines).noneMatch(l -> l.startsWith("apiVersion"));
        assertThat(lines).noneMatch(l -> l.contains("flowControl {") || l.contains("utilization-detector"));
        assertThat(s.requestHandling().propagatePriority()).isTrue();
        assertThat(lines).noneMatch(l -> l.contains("propagatePriority"));
        assertThat(lines).contains(
                "dataLayer: discovery.peers.pluginRef (llm-d.ai/v1) → ignored: Jetway replicas find their peers "
                        + "through jetway.yaml's peers",
                "dataLayer: crossReplica {syncerPluginRef, syncInterval, publishTimeout} (llm-d.ai/v1) → ignored: "
                        + "Jetway replicas exchange routing state through jetway.yaml's peers",
                "plugin 'strict-bands' (strict-priority-band-selection): type: strict-priority-band-selection "
                        + "(llm-d EPP (flow control / request handling)) → ignored: not instantiated: referenced from "
                        + "flowControl.bandSelectionPolicyPluginRef; Jetway always offers bands the chance to dispatch "
                        + "in strict priority order (strict-band-selection-policy)");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("plugin 'session-affinity-scorer': missThreshold"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("plugin 'syncer' (memberlist-syncer)"));
    }

    @Test
    void v1alpha1DataLayerFieldsMoveToTheirV1Places() throws IOException {
        EndpointPickerConfig config = history("llmd-v1alpha1-datalayer.yaml");
        assertThat(config.dataLayer().path("discovery").path("endpoints").path("pluginRef").asText())
                .isEqualTo("file-discovery");
        assertThat(config.dataLayer().path("discovery").path("peers").path("pluginRef").asText()).isEqualTo("peers");
        assertThat(config.dataLayer().path("crossReplica").path("syncerPluginRef").asText()).isEqualTo("syncer");
        assertThat(config.dataLayer().path("crossReplica").path("publishTimeout").asText()).isEqualTo("1s");
        assertThat(config.dataLayer().has("peerDiscovery")).isFalse();
        Scheduler s = build(config);
        assertThat(lines(s)).contains(
                "dataLayer: discovery.pluginRef (llm-d.ai/v1alpha1) → discovery.endpoints.pluginRef",
                "dataLayer: peerDiscovery.pluginRef (llm-d.ai/v1alpha1) → discovery.peers.pluginRef",
                "dataLayer: crossReplicaSyncerPluginRef (llm-d.ai/v1alpha1) → crossReplica.syncerPluginRef",
                "dataLayer: crossReplicaSyncInterval (llm-d.ai/v1alpha1) → crossReplica.syncInterval",
                "dataLayer: crossReplicaPublishTimeout (llm-d.ai/v1alpha1) → crossReplica.publishTimeout",
                "top level: saturationDetector.pluginRef (llm-d.ai/v1alpha1 (deprecated, llm-d-router #1308)) → "
                        + "flowControl.saturationDetector.pluginRef",
                "top level: parser.pluginRef (GIE v1.x, llm-d.ai/v1alpha1) → ignored: llm-d.ai/v1 uses "
                        + "requestHandler.parsers; Jetway's gateway parses OpenAI requests itself");
        assertThat(s.plugins()).extracting(x -> x.name()).contains("file-discovery", "queue-scorer")
                .doesNotContain("peers", "syncer", "openai-parser");
        assertThat(s.flowControl().enabled()).isFalse();
        assertThat(s.flowControl().detector())
                .isSameAs(s.plugin("utilization-detector", UtilizationDetector.class).orElseThrow());
    }

    @Test
    void aScorersOldIndexParametersYieldToAProducerTheConfigDeclares() {
        Scheduler s = build("""
                apiVersion: llm-d.ai/v1
                kind: EndpointPickerConfig
                plugins:
                - type: approx-prefix-cache-producer
                  parameters: {blockSizeTokens: 128, lruCapacityPerServer: 1000}
                - type: prefix-cache-scorer
                  parameters: {hashBlockSize: 64, lruCapacityPerServer: 9999}
                """);
        var producer = s.plugin(ApproxPrefixCacheProducer.TYPE, ApproxPrefixCacheProducer.class).orElseThrow();
        assertThat(producer.params().blockSizeTokens()).isEqualTo(128);
        assertThat(producer.params().lruCapacityPerServer()).isEqualTo(1000);
        assertThat(s.warnings()).hasSize(2).allSatisfy(w -> {
            assertThat(w.ignored()).isTrue();
            assertThat(w.reason()).contains("which the config declares");
        });
    }

    @Test
    void sessionAffinityOfEveryShapeLoads() {
        Scheduler s = build("""
                apiVersion: llm-d.ai/v1
                kind: EndpointPickerConfig
                plugins:
                - name: cookie
                  type: session-affinity-scorer
                  parameters: {maxAge: 3600, secure: true, sameSite: Strict}
                - name: header
                  type: session-affinity-scorer
                  parameters: {headerName: X-Sticky}
                - name: produced
                  type: session-affinity-scorer
                  parameters: {sessionIDProducerName: session-id-producer}
                """);
        assertThat(s.plugin("header", SessionAffinityScorer.class).orElseThrow().describeParameters())
                .isEqualTo("strategy=encoded_endpoint_header, header=x-sticky");
        assertThat(s.warnings()).hasSize(4).allSatisfy(w -> assertThat(w.ignored()).isTrue());
        assertThat(s.warnings().getFirst().toString()).isEqualTo("plugin 'cookie' (session-affinity-scorer): "
                + "maxAge: 3600 (llm-d-inference-scheduler cookie variant (llm-d-session)) → ignored: Jetway carries "
                + "the session in the x-session-token header (or headerName), not a cookie");
    }

    @Test
    void typosStillFailWithTheKnownFields() {
        assertThatThrownBy(() -> build("""
                apiVersion: inference.networking.x-k8s.io/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: prefix-cache-scorer
                  parameters: {hashBlokSize: 64}
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("plugin 'prefix-cache-scorer' (prefix-cache-scorer): unknown parameter "
                        + "'hashBlokSize' (known: matchLengthScaleTokens, matchLengthWeight, "
                        + "prefixMatchInfoProducerName)");
        assertThatThrownBy(() -> build("""
                apiVersion: llm-d.ai/v1
                kind: EndpointPickerConfig
                plugins:
                - type: prefix-cache-scorer
                  parameters: {mode: exact}
                """)).hasMessageContaining("parameter 'mode' must be estimate or cache_tracking (llm-d v0.2), got "
                + "'exact'");
        assertThatThrownBy(() -> EndpointPickerConfig.parse("""
                apiVersion: llm-d.ai/v1
                kind: EndpointPickerConfig
                dat: {sources: []}
                """, "x")).hasMessageContaining("unknown top-level field 'dat'");
        assertThatThrownBy(() -> EndpointPickerConfig.parse("apiVersion: llm-d.ai/v2\nkind: EndpointPickerConfig\n",
                "x")).hasMessageContaining("expected one of llm-d.ai/v1, llm-d.ai/v1alpha1, "
                + "inference.networking.x-k8s.io/v1alpha1");
        Scheduler folded = build("""
                apiVersion: llm-d.ai/v1
                kind: EndpointPickerConfig
                plugins:
                - type: prefill-header-handler
                """);
        assertThat(folded.warnings()).anySatisfy(w -> assertThat(w.toString()).contains("prefill-header-handler",
                "llm-d v0.2-v0.6", "folded into disagg-profile-handler"));
    }

    @ParameterizedTest
    @FieldSource("POLICIES")
    void builtInPoliciesAreInTodaysFormAndWarnNothing(String policy) {
        EndpointPickerConfig config = EndpointPickerConfig.builtIn(policy);
        assertThat(config.apiVersion()).isEqualTo(EndpointPickerConfig.API_VERSION);
        Scheduler s = Scheduler.fromConfig(config, withIndex(64));
        assertThat(s.warnings()).isEmpty();
    }
}
