package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    private int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

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
        assertThat(run("config", "check", file.toString())).isZero();
        assertThat(out.toString())
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
        assertThat(run("config", "check", file.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("2 problems", "'disagg-profile-handler' (profile handler) is not built yet",
                "unknown parameter 'speed'");
        assertThat(run("config", "check", dir.resolve("missing.yaml").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("cannot read");
    }

    @Test
    void checkAcceptsBuiltInPolicyNamesAndShowPrintsThem() {
        assertThat(run("config", "check", "sglang-cache-aware")).isZero();
        assertThat(out.toString()).contains("sglang-cache-aware {cache_threshold=0.3");
        assertThat(run("config", "show", "approximate")).isZero();
        assertThat(out.toString()).contains("maxPrefixBlocksToMatch: 256");
        assertThat(run("config", "show", "nope")).isEqualTo(1);
        assertThat(run("config", "check", "precise")).isZero();
        assertThat(out.toString()).contains("precise-prefix-cache-producer {blockSize=64, speculativeIndexing=true}");
    }

    @Test
    void pluginsListsBuiltAndPlannedTypes() {
        assertThat(run("config", "plugins")).isZero();
        assertThat(out.toString()).contains("queue-scorer", "by-label-selector", "-> label-selector-filter",
                "disagg-profile-handler", "not built yet");
    }
}
