package dev.jetway.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    @Test
    void fillsDefaultsForEverythingNotSaid() {
        GatewayConfig c = ConfigLoader.parse("""
                pools:
                  - name: qwen
                    models: [Qwen/Qwen3-32B]
                    endpoints:
                      - {address: 10.0.0.11:8000, kvEvents: tcp://10.0.0.11:5557, kvEventsReplay: 10.0.0.11:5558}
                      - {address: 10.0.0.12:8000, role: decode, labels: {zone: a}}
                """, "test");
        assertThat(c.server().port()).isEqualTo(8080);
        assertThat(c.server().adminPort()).isEqualTo(9090);
        assertThat(c.server().maxBodyBytes()).isEqualTo(8 * 1024 * 1024);
        assertThat(c.upstream().connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.upstream().firstByteTimeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.upstream().idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.dataLayer().scrapeInterval()).isEqualTo(Duration.ofMillis(50));
        assertThat(c.dataLayer().stalenessThreshold()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.dataLayer().unreadyAfterFailures()).isEqualTo(3);
        PoolConfig p = c.pools().getFirst();
        assertThat(p.endpoints().get(0).kvEvents()).isEqualTo("tcp://10.0.0.11:5557");
        assertThat(p.endpoints().get(0).kvEventsReplay()).isEqualTo("10.0.0.11:5558");
        assertThat(p.endpoints().get(1).kvEventsReplay()).isNull();
        assertThat(p.endpoints().get(1).effectiveLabels()).containsEntry("llm-d.ai/role", "decode")
                .containsEntry("zone", "a");
        assertThat(p.endpointPicker()).isNull();
        assertThat(p.migrationLimit()).isEqualTo(3);
        assertThat(ConfigLoader.parse("pools: [{name: p, migrationLimit: 0}]", "t").pools().getFirst()
                .migrationLimit()).isZero();
    }

    @Test
    void readsDurationsAndInlinePickerConfig() {
        GatewayConfig c = ConfigLoader.parse("""
                server: {port: 0, adminPort: -1, debugHeader: true}
                upstream: {connectTimeout: 250ms, firstByteTimeout: 1m, idleTimeout: 5s, maxRetries: 0}
                pools:
                  - name: p
                    endpointPicker:
                      apiVersion: llm-d.ai/v1alpha1
                      kind: EndpointPickerConfig
                      plugins: [{type: random-picker}]
                    endpoints: [{address: "localhost:1"}]
                """, "test");
        assertThat(c.upstream().connectTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.upstream().firstByteTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.upstream().maxRetries()).isZero();
        assertThat(c.server().debugHeader()).isTrue();
        assertThat(c.pools().getFirst().endpointPicker().path("kind").asText()).isEqualTo("EndpointPickerConfig");
    }

    @Test
    void theDocumentedExampleLoadsWithItsPickerConfigs() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/configuration.md"));
        int start = doc.indexOf("```yaml\npools:\n  - name: qwen\n    models: [Qwen/Qwen3-32B]\n    endpointPicker: approximate");
        String yaml = doc.substring(start + 8, doc.indexOf("```", start + 8));
        GatewayConfig c = ConfigLoader.parse(yaml, "docs/configuration.md");
        assertThat(c.pools()).hasSize(2);
        for (PoolConfig p : c.pools()) {
            assertThat(dev.jetway.gateway.routing.PickerConfigs.resolve(p.endpointPicker(), c.baseDir(), p.name()))
                    .isNotNull();
        }
    }

    @Test
    void namesTheKeyThatIsWrong() {
        assertThatThrownBy(() -> ConfigLoader.parse("pools: [{name: p, endpoints: [{address: \"x:1\", lables: {}}]}]", "f.yaml"))
                .hasMessageContaining("lables");
        assertThatThrownBy(() -> ConfigLoader.parse("pools: [{name: p, endpoints: [{address: nohost}]}]", "f.yaml"))
                .hasMessageContaining("host:port");
        assertThatThrownBy(() -> ConfigLoader.parse("upstream: {idleTimeout: soon}\npools: [{name: p}]", "f.yaml"))
                .hasMessageContaining("soon");
        assertThatThrownBy(() -> ConfigLoader.parse("server: {port: 70000}\npools: [{name: p}]", "f.yaml"))
                .hasMessageContaining("server.port");
        assertThatThrownBy(() -> ConfigLoader.parse("pools: [{name: p, migrationLimit: -1}]", "f.yaml"))
                .hasMessageContaining("pools[p].migrationLimit must not be negative, got -1");
        assertThatThrownBy(() -> ConfigLoader.parse("pools: [{name: p, tokenizer: bpe}]", "f.yaml"))
                .hasMessageContaining("tokenizer must be auto, jetway-simple-v1, estimate, engine or huggingface");
        assertThatThrownBy(() -> ConfigLoader.parse("server: {port: 1}", "f.yaml"))
                .hasMessageContaining("at least one pool");
        assertThatThrownBy(() -> ConfigLoader.parse(
                "pools: [{name: p, endpoints: [{address: \"x:1\", kvEventsReplay: \"x:5558\"}]}]", "f.yaml"))
                .hasMessageContaining("kvEventsReplay needs kvEvents");
        assertThatThrownBy(() -> ConfigLoader.parse(
                "pools: [{name: p, endpoints: [{address: \"x:1\", kvEvents: \"tcp://x\"}]}]", "f.yaml"))
                .hasMessageContaining("kvEvents must be tcp://host:port or host:port, got tcp://x");
        assertThatThrownBy(() -> ConfigLoader.parse(
                "pools: [{name: p, endpoints: [{address: \"x:1\", kvEvents: \"ipc:///tmp/kv\"}]}]", "f.yaml"))
                .hasMessageContaining("the gateway connects over TCP");
        assertThatThrownBy(() -> ConfigLoader.parse(
                "pools: [{name: p, endpoints: [{address: \"x:1\", kvEvents: \"tcp://*:5557\"}]}]", "f.yaml"))
                .hasMessageContaining("that is the address the model server binds");
        assertThatThrownBy(() -> ConfigLoader.parse("pools: [{name: p, endpoints: [{address: \"x:1\", "
                + "kvEvents: \"x:5557\", kvEventsReplay: \"tcp://x:99999\"}]}]", "f.yaml"))
                .hasMessageContaining("kvEventsReplay must be tcp://host:port or host:port, got tcp://x:99999");
        assertThat(ConfigLoader.parse("pools: [{name: p, endpoints: [{address: \"x:1\", kvEvents: \"x:5557\", "
                + "kvEventsReplay: \"tcp://[fd00::1]:5558\"}]}]", "f.yaml").pools().getFirst().endpoints()
                .getFirst().kvEventsReplay()).isEqualTo("tcp://[fd00::1]:5558");
        assertThatThrownBy(() -> ConfigLoader.parse("pools: [{name: a, models: [m]}, {name: b, models: [m]}]", "f.yaml"))
                .hasMessageContaining("more than one pool");
    }

    @Test
    void outlierDetectionHealthChecksAndTheAdaptiveDeadlineAreOnByDefaultAndConfigurablePerPool() {
        GatewayConfig c = ConfigLoader.parse("""
                upstream: {firstByteTimeout: 120s, firstByteTimeoutMargin: 3, minFirstByteTimeout: 2s}
                pools:
                  - name: a
                  - name: b
                    outlierDetection: {consecutive5xx: 0, consecutiveGatewayFailure: 2, interval: 5s,
                                       baseEjectionTime: 10s, maxEjectionTime: 1m, maxEjectionPercent: 50,
                                       tpotOutlierFactor: 8, tpotOutlierMin: 250ms}
                    healthCheck: {path: /health, interval: 30s, unhealthyInterval: 2s, timeout: 1s, model: x}
                """, "test");
        assertThat(c.upstream().firstByteTimeoutMargin()).isEqualTo(3.0);
        assertThat(c.upstream().minFirstByteTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.upstream().retryBudgetPercent()).isEqualTo(20.0);
        assertThat(c.upstream().minRetryConcurrency()).isEqualTo(3);
        PoolConfig a = c.pools().get(0);
        assertThat(a.outlierDetection()).isEqualTo(OutlierDetectionSettings.defaults());
        assertThat(a.outlierDetection().enabled()).isTrue();
        assertThat(a.outlierDetection().consecutive5xx()).isEqualTo(5);
        assertThat(a.outlierDetection().consecutiveGatewayFailure()).isEqualTo(3);
        assertThat(a.outlierDetection().baseEjectionTime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(a.outlierDetection().maxEjectionTime()).isEqualTo(Duration.ofSeconds(300));
        assertThat(a.outlierDetection().maxEjectionPercent()).isEqualTo(100);
        assertThat(a.healthCheck().enabled()).isTrue();
        assertThat(a.healthCheck().path()).isEqualTo("/v1/completions");
        assertThat(a.healthCheck().completion()).isTrue();
        PoolConfig b = c.pools().get(1);
        assertThat(b.outlierDetection().consecutive5xx()).isZero();
        assertThat(b.outlierDetection().maxEjectionTime()).isEqualTo(Duration.ofMinutes(1));
        assertThat(b.outlierDetection().tpotOutlierMin()).isEqualTo(Duration.ofMillis(250));
        assertThat(b.healthCheck().completion()).isFalse(); // a GET of /health
        assertThat(b.healthCheck().model()).isEqualTo("x");
        // a pool's settings survive the endpoints discovery fills in
        assertThat(b.withEndpoints(java.util.List.of()).outlierDetection()).isEqualTo(b.outlierDetection());
        // the documented example loads
        try {
            String doc = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/configuration.md"));
            int start = doc.indexOf("```yaml\nupstream:\n  firstByteTimeout: 300s");
            assertThat(start).isPositive();
            GatewayConfig example = ConfigLoader.parse(doc.substring(start + 8, doc.indexOf("```", start + 8)), "doc");
            assertThat(example.pools().getFirst().outlierDetection().maxEjectionPercent()).isEqualTo(50);
            assertThat(example.pools().getFirst().healthCheck().chat()).isTrue();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        // a base ejection longer than Envoy's default maximum raises the maximum with it
        assertThat(ConfigLoader.parse("pools: [{name: p, outlierDetection: {baseEjectionTime: 10m}}]", "f")
                .pools().getFirst().outlierDetection().maxEjectionTime()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void badOutlierAndHealthCheckSettingsNameTheKey() {
        assertThatThrownBy(() -> ConfigLoader.parse(
                "pools: [{name: p, outlierDetection: {maxEjectionPercent: 150}}]", "f.yaml"))
                .hasMessageContaining("outlierDetection.maxEjectionPercent must be 0..100, got 150");
        assertThatThrownBy(() -> ConfigLoader.parse(
                "pools: [{name: p, outlierDetection: {baseEjectionTime: 1m, maxEjectionTime: 30s}}]", "f.yaml"))
                .hasMessageContaining("maxEjectionTime (30s) must not be below baseEjectionTime (60s)");
        assertThatThrownBy(() -> ConfigLoader.parse(
                "pools: [{name: p, outlierDetection: {consecutive5xx: -1}}]", "f.yaml"))
                .hasMessageContaining("outlierDetection.consecutive5xx must not be negative");
        assertThatThrownBy(() -> ConfigLoader.parse(
                "pools: [{name: p, outlierDetection: {tpotOutlierFactor: 0.5}}]", "f.yaml"))
                .hasMessageContaining("tpotOutlierFactor must be above 1");
        assertThatThrownBy(() -> ConfigLoader.parse(
                "pools: [{name: p, outlierDetection: {consecutive500: 3}}]", "f.yaml"))
                .hasMessageContaining("unknown key 'consecutive500'");
        assertThatThrownBy(() -> ConfigLoader.parse("pools: [{name: p, healthCheck: {path: health}}]", "f.yaml"))
                .hasMessageContaining("healthCheck.path must start with /");
        assertThatThrownBy(() -> ConfigLoader.parse("pools: [{name: p, healthCheck: {timeout: 0s}}]", "f.yaml"))
                .hasMessageContaining("healthCheck.timeout must be a positive duration");
        assertThatThrownBy(() -> ConfigLoader.parse("upstream: {retryBudgetPercent: 150}\npools: [{name: p}]",
                "f.yaml")).hasMessageContaining("upstream.retryBudgetPercent must be 0..100, got 150");
        assertThatThrownBy(() -> ConfigLoader.parse("upstream: {firstByteTimeoutMargin: 0.5}\npools: [{name: p}]",
                "f.yaml")).hasMessageContaining("upstream.firstByteTimeoutMargin must be at least 1");
    }
}
