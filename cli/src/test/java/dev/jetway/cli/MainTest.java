package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void helpListsEverySubcommand() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("up", "demo", "gateway", "sim", "bench", "simulate");
    }

    @Test
    void everySubcommandHasHelp() {
        for (String sub : new String[] {"up", "demo", "gateway", "sim", "bench", "simulate"}) {
            out.getBuffer().setLength(0);
            assertThat(run(sub, "--help")).as(sub).isZero();
            assertThat(out.toString()).as(sub).contains("Usage: jetway " + sub).contains("--verbose");
        }
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        assertThat(run("fly")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument");
    }
}
