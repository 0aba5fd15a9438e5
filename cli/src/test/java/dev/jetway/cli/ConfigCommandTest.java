package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCommandTest {

    @TempDir
    Path dir;

    @Test
    void checkPrintsTheResolvedPipeline() throws Exception {
        Path file = dir.resolve("epp.yaml");
        Files.writeString(file, """
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: queue-scorer
                - type: prefix-cache-scorer
                schedulingProfiles:
                - name: default
                  plugins:
                  - pluginRef: queue-scorer
                    weight: 2
                  - pluginRef: prefix-cache-scorer
                    weight: 3
                """);
        CliRun r = CliRun.of("config", "check", file.toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.out())
                .contains("profile default:", "queue-scorer weight 2.0", "prefix-cache-scorer",
                        "approx-prefix-cache-producer", "[default]", "max-score-picker", "OK");
    }

    @Test
    void checkPrintsTheMappingOfAnOldConfigAndExitsZero() throws Exception {
        Path file = dir.resolve("gie-v1.0.yaml");
        Files.writeString(file, """
                apiVersion: inference.networking.x-k8s.io/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: kv-cache-scorer
                - type: prefix-cache-scorer
                  parameters:
                    hashBlockSize: 256
                    maxPrefixBlocksToMatch: 256
                    lruCapacityPerServer: 50000
                - type: active-request-scorer
                  parameters: {requestTimeout: 2m}
                saturationDetector: {queueDepthThreshold: 5}
                """);
        CliRun r = CliRun.of("config", "check", file.toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains(
                "approx-prefix-cache-producer {blockSizeTokens=64, maxPrefixBlocksToMatch=256, "
                        + "lruCapacityPerServer=50000",
                "mapping (7 settings in an older or unsupported form; old -> how Jetway reads it):",
                "  apiVersion: inference.networking.x-k8s.io/v1alpha1 (GIE v0.5-v1.5, early llm-d) → llm-d.ai/v1",
                "  plugin 'prefix-cache-scorer': hashBlockSize: 256 (GIE v0.5-v1.0, llm-d <= v0.6) → "
                        + "approx-prefix-cache-producer blockSizeTokens: 64",
                "  plugin 'kv-cache-scorer': type: kv-cache-scorer (GIE v0.5) → type: kv-cache-utilization-scorer",
                "  plugin 'active-request-scorer': requestTimeout: 2m",
                "→ ignored: Jetway releases a request's count when it completes",
                "OK, with 7 warnings");
        assertThat(r.out().indexOf("mapping (")).isGreaterThan(r.out().indexOf("profile default:"));
    }

    @Test
    void checkSaysDataLayerPluginsAreNotReadAndNamesTheJetwayYamlKeysThatDoTheirJob() throws Exception {
        Path file = dir.resolve("llm-d-data-layer.yaml");
        Files.writeString(file, """
                apiVersion: llm-d.ai/v1
                kind: EndpointPickerConfig
                plugins:
                - type: queue-scorer
                - type: metrics-data-source
                  parameters: {path: /custom-metrics, interval: 200ms}
                - type: k8s-notification-source
                  parameters: {namespace: llm}
                dataLayer:
                  sources:
                  - pluginRef: metrics-data-source
                  - pluginRef: k8s-notification-source
                """);
        CliRun r = CliRun.of("config", "check", file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("read by the gateway")
                .contains("data layer (llm-d's plugins, accepted but not read",
                        "plugin 'metrics-data-source': type: metrics-data-source (llm-d data "
                                + "layer) → ignored: the gateway does not read data-layer plugins; in jetway.yaml, "
                                + "dataLayer.metricsPath, dataLayer.scrapeInterval",
                        "plugin 'k8s-notification-source': type: k8s-notification-source "
                                + "(llm-d data layer) → ignored: the gateway does not read data-layer plugins; in "
                                + "jetway.yaml, pools[].endpoints, pools[].inferencePool or pools[].endpointsFile",
                        "OK, with 2 warnings");
    }

    @Test
    void checkOfAConfigInTodaysFormHasNoMapping() {
        CliRun r = CliRun.of("config", "check", "jetway");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).doesNotContain("mapping (").endsWith("OK" + System.lineSeparator());
    }

    @Test
    void checkListsEveryProblemAndExitsOne() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: header-profile-handler
                - type: queue-scorer
                  parameters: {speed: 3}
                """);
        CliRun bad = CliRun.of("config", "check", file.toString());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains("2 problems", "'header-profile-handler' (profile handler) is not built yet",
                "unknown parameter 'speed'");
        CliRun missing = CliRun.of("config", "check", dir.resolve("missing.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("cannot read");
    }

    @Test
    void checkAcceptsBuiltInPolicyNamesAndShowPrintsThem() {
        CliRun sglang = CliRun.of("config", "check", "sglang-cache-aware");
        assertThat(sglang.exitCode()).isZero();
        assertThat(sglang.out()).contains("sglang-cache-aware {cache_threshold=0.3");
        CliRun approximate = CliRun.of("config", "show", "approximate");
        assertThat(approximate.exitCode()).isZero();
        assertThat(approximate.out()).contains("maxPrefixBlocksToMatch: 256");
        assertThat(CliRun.of("config", "show", "nope").exitCode()).isEqualTo(1);
        CliRun precise = CliRun.of("config", "check", "precise");
        assertThat(precise.exitCode()).isZero();
        assertThat(precise.out()).contains("precise-prefix-cache-producer {blockSize=64, speculativeIndexing=true,");
    }

    @Test
    void pluginsListsBuiltAndPlannedTypes() {
        CliRun r = CliRun.of("config", "plugins");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("queue-scorer", "by-label-selector", "-> label-selector-filter",
                "disagg-profile-handler", "not built yet",
                "kvcache-aware-scorer", "-> precise-prefix-cache-scorer (",
                "decision-tree-filter", "-> dropped with a warning (GIE v0.5; use filters in sequence, or scorers)");
    }

    @Test
    void checkOfAJetwayYamlChecksTheGatewayThenEveryPoolsPicker() throws Exception {
        Files.writeString(dir.resolve("epp.yaml"), """
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: queue-scorer
                schedulingProfiles:
                - name: default
                  plugins:
                  - pluginRef: queue-scorer
                """);
        Path file = dir.resolve("jetway.yaml");
        Files.writeString(file, """
                server:
                  port: 8181
                pools:
                - name: chat
                  models: [m1]
                  endpoints: [{address: "127.0.0.1:8001"}, {address: "127.0.0.1:8002"}]
                  endpointPicker: epp.yaml
                - name: batch
                  models: [m2]
                  endpoints: [{address: "127.0.0.1:8003"}]
                  endpointPicker: round-robin
                """);
        CliRun r = CliRun.of("config", "check", file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("a jetway.yaml gateway config", "API on 127.0.0.1:8181", "pool chat: models [m1], 2 endpoints",
                "endpoint picker epp.yaml:", "queue-scorer", "pool batch", "(built-in policy round-robin)", "OK");
    }

    @Test
    void checkOfAJetwayYamlPrintsEachPoolsRoutingTokenizerAndWhy() throws Exception {
        Path file = dir.resolve("jetway.yaml");
        Files.writeString(file, """
                pools:
                - name: events
                  models: [m1]
                  endpoints: [{address: "127.0.0.1:8001", kvEvents: "tcp://127.0.0.1:5557"}]
                - name: plain
                  models: [m2]
                  endpoints: [{address: "127.0.0.1:8002"}]
                - name: sim
                  models: [m3]
                  endpoints: [{address: "127.0.0.1:8003"}]
                  tokenizer: jetway-simple-v1
                - name: found
                  models: [m4]
                  endpointsFile: endpoints.yaml
                  endpointPicker: precise
                """);
        CliRun r = CliRun.of("config", "check", file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains(
                "pool events: models [m1], 1 endpoint\n  tokenizer: engine (auto): the picker matches KV events, "
                        + "which needs the engine's exact token ids\n  endpoint picker (default policy jetway):",
                "pool plain: models [m2], 1 endpoint\n  tokenizer: estimate (auto): the picker matches prompts "
                        + "against its own routing history, which needs consistent blocks, not the engine's token ids",
                "pool sim: models [m3], 1 endpoint\n  tokenizer: jetway-simple-v1: set explicitly",
                "pool found: models [m4], endpoints from the file endpoints.yaml\n  tokenizer: estimate (auto): the "
                        + "picker matches KV events, but no endpoint is known yet to ask /tokenize (engine once one "
                        + "is) (decided again as endpoints are discovered)");
        // the default policy over endpoints that all publish KV events is the one the gateway builds: precise
        String events = r.out().substring(r.out().indexOf("pool events"), r.out().indexOf("pool plain"));
        assertThat(events).contains("precise-prefix-cache-producer");
    }

    @Test
    void checkOfAJetwayYamlShowsTheGovernanceSettingsAndAMissingAuditDirectory() throws Exception {
        Path file = dir.resolve("jetway.yaml");
        String pools = """
                pools:
                - name: chat
                  models: [m1]
                  endpoints: [{address: "127.0.0.1:8001"}]
                guardrails:
                  deny: [{name: key, pattern: "PRIVATE KEY"}]
                  limits: {maxTokens: 512}
                  tenants:
                    research: {maxTokens: 4096}
                  moderation: {url: "http://guard:8000/v1/moderations", failMode: closed}
                """;
        Files.writeString(file, pools + "audit: {file: audit.jsonl, includePrompt: true}\n");
        CliRun r = CliRun.of("config", "check", file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("audit: one record per request to " + dir.resolve("audit.jsonl").toAbsolutePath(),
                "text: prompt, 0 redaction rules", "guardrails: 1 deny, 0 redact rules; limits: maxTokens 512; "
                        + "own limits for tenants [research]; moderation openai http://guard:8000/v1/moderations "
                        + "(timeout 1000 ms, fail closed)", "OK");
        Files.writeString(file, pools + "audit: {file: no-such-dir/audit.jsonl}\n");
        CliRun missing = CliRun.of("config", "check", file.toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("audit.file: the directory " + dir.resolve("no-such-dir").toAbsolutePath()
                + " does not exist");
    }

    @Test
    void checkOfAJetwayYamlSaysWhereTracesGoAndRefusesGrpc() throws Exception {
        Path file = dir.resolve("jetway.yaml");
        String pools = "pools: [{name: chat, models: [m1], endpoints: [{address: \"127.0.0.1:8001\"}]}]\n";
        Files.writeString(file, pools + "tracing: {endpoint: \"http://collector:4318\", samplingRatio: 0.2}\n");
        CliRun r = CliRun.of("config", "check", file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("tracing: OTLP/HTTP to http://collector:4318/v1/traces, sampling 0.2", "OK");
        Files.writeString(file, pools + "tracing: {protocol: grpc}\n");
        CliRun grpc = CliRun.of("config", "check", file.toString());
        assertThat(grpc.exitCode()).isEqualTo(1);
        assertThat(grpc.err()).contains("tracing.protocol grpc is not supported");
    }

    @Test
    void checkOfAJetwayYamlReportsEveryPoolsPickerProblemAndATypoWithItsFix() throws Exception {
        Path file = dir.resolve("jetway.yaml");
        Files.writeString(file, """
                pools:
                - name: a
                  models: [m1]
                  endpoints: [{address: "127.0.0.1:8001"}]
                  endpointPicker: missing.yaml
                - name: b
                  models: [m2]
                  endpoints: [{address: "127.0.0.1:8002"}]
                  endpointPicker:
                    apiVersion: llm-d.ai/v1alpha1
                    kind: EndpointPickerConfig
                    plugins:
                    - type: queue-scorrer
                    schedulingProfiles:
                    - name: default
                      plugins:
                      - pluginRef: queue-scorrer
                """);
        CliRun r = CliRun.of("config", "check", file.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("2 problems", "pool a: endpointPicker missing.yaml", "queue-scorer");
        Files.writeString(file, """
                server:
                  prot: 8080
                pools:
                - name: a
                  models: [m1]
                  endpoints: [{address: "127.0.0.1:8001"}]
                """);
        CliRun typo = CliRun.of("config", "check", file.toString());
        assertThat(typo.exitCode()).isEqualTo(1);
        assertThat(typo.err()).contains("unknown key 'prot'", "did you mean 'port'?").doesNotContain("Exception");
    }
}
