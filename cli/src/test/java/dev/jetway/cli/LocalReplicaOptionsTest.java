package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code jetway up} and {@code jetway demo} refuse a replica count that cannot start a cluster, before starting one. */
class LocalReplicaOptionsTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void upRefusesZeroReplicasWithUsageExitCode() {
        assertThat(run("up", "--replicas", "0", "--port", "0", "--admin-port", "-1")).isEqualTo(2);
        assertThat(err.toString()).isEqualToIgnoringNewLines("--replicas must be at least 1");
        assertThat(out.toString()).doesNotContain("Jetway is up");
    }

    @Test
    void demoRefusesNegativeReplicasWithTheSameMessage() {
        assertThat(run("demo", "--replicas", "-3")).isEqualTo(2);
        assertThat(err.toString()).isEqualToIgnoringNewLines("jetway demo: --replicas must be at least 1");
        assertThat(out.toString()).doesNotContain("Jetway demo:");
    }

    @Test
    void demoReportsTheReplicaCountBeforeItsOwnSettings() {
        assertThat(run("demo", "--replicas", "0", "--rate", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--replicas must be at least 1").doesNotContain("--rate");
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
