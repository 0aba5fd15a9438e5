package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code jetway up} and {@code jetway demo} refuse a replica count that cannot start a cluster, before starting one. */
class LocalReplicaOptionsTest {

    @Test
    void upRefusesZeroReplicasWithUsageExitCode() {
        CliRun run = CliRun.of("up", "--replicas", "0", "--port", "0", "--admin-port", "-1");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualToIgnoringNewLines("--replicas must be at least 1");
        assertThat(run.out()).doesNotContain("Jetway is up");
    }

    @Test
    void demoRefusesNegativeReplicasWithTheSameMessage() {
        CliRun run = CliRun.of("demo", "--replicas", "-3");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualToIgnoringNewLines("jetway demo: --replicas must be at least 1");
        assertThat(run.out()).doesNotContain("Jetway demo:");
    }

    @Test
    void demoReportsTheReplicaCountBeforeItsOwnSettings() {
        CliRun run = CliRun.of("demo", "--replicas", "0", "--rate", "0");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--replicas must be at least 1").doesNotContain("--rate");
    }

    @Test
    void theSameDefaultsServeBothCommands() {
        CommandLine cli = new CommandLine(new Main());
        for (String command : new String[] {"up", "demo"}) {
            var spec = cli.getSubcommands().get(command).getCommandSpec();
            assertThat(spec.findOption("--replicas").defaultValue()).as(command).isEqualTo("4");
            assertThat(spec.findOption("--profile").defaultValue()).as(command).isEqualTo("qwen3-32b-h100-tp2");
        }
    }
}
