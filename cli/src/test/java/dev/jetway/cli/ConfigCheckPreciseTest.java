package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jetway config check} on llm-d's precise example C (llm-d.md §2), as published. */
class ConfigCheckPreciseTest {

    static final String EXAMPLE_C = """
            apiVersion: llm-d.ai/v1alpha1
            kind: EndpointPickerConfig
            plugins:
              - type: token-producer
                parameters:
                  modelName: hf-repo/model-name
                  vllm:
                    url: http://localhost:8000
              - type: endpoint-notification-source
              - type: metrics-data-source
              - type: core-metrics-extractor
              - type: single-profile-handler
              - type: decode-filter
              - type: precise-prefix-cache-producer
                parameters:
                  tokenProcessorConfig:
                    blockSize: 64
                  indexerConfig:
                    kvBlockIndexConfig:
                      enableMetrics: true
              - type: prefix-cache-scorer
                parameters:
                  prefixMatchInfoProducerName: precise-prefix-cache-producer
              - type: kv-cache-utilization-scorer
              - type: queue-scorer
              - type: max-score-picker
            dataLayer:
              sources:
                - pluginRef: metrics-data-source
                  extractors:
                    - pluginRef: core-metrics-extractor
                - pluginRef: endpoint-notification-source
                  extractors:
                    - pluginRef: precise-prefix-cache-producer
            schedulingProfiles:
              - name: default
                plugins:
                  - pluginRef: decode-filter
                  - pluginRef: prefix-cache-scorer
                    weight: 2.0
                  - pluginRef: kv-cache-utilization-scorer
                    weight: 1.0
                  - pluginRef: queue-scorer
                    weight: 1.0
                  - pluginRef: max-score-picker
            """;

    @TempDir
    Path dir;

    @Test
    void exampleCChecksAsPublished() throws Exception {
        Path file = dir.resolve("example-c.yaml");
        Files.writeString(file, EXAMPLE_C);
        CliRun r = CliRun.of("config", "check", file.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("precise-prefix-cache-producer {blockSize=64",
                "token-producer", "engine http://localhost:8000/tokenize");
        // the data-layer plugins load, but say that jetway.yaml, not they, sets scraping and discovery
        assertThat(r.out()).contains("plugin 'endpoint-notification-source': type: "
                        + "endpoint-notification-source (llm-d data layer) → ignored",
                "plugin 'core-metrics-extractor': type: core-metrics-extractor (llm-d data "
                        + "layer) → ignored: the gateway does not read data-layer plugins; in jetway.yaml, "
                        + "pools[].engine");
    }
}
