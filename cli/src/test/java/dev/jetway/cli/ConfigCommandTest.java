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
    void checkListsEveryProblemAndExitsOne() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: disagg-profile-handler
                - type: queue-scorer
                  parameters: {speed: 3}
                """);
        CliRun bad = CliRun.of("config", "check", file.toString());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains("2 problems", "'disagg-profile-handler' (profile handler) is not built yet",
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
                "disagg-profile-handler", "not built yet");
    }
}
