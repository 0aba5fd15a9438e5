package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void helpListsEverySubcommand() {
        CliRun r = CliRun.of("--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("up", "demo", "gateway", "sim", "bench", "simulate");
    }

    @Test
    void everySubcommandHasHelp() {
        for (String sub : new String[] {"up", "demo", "gateway", "sim", "bench", "simulate"}) {
            CliRun r = CliRun.of(sub, "--help");
            assertThat(r.exitCode()).as(sub).isZero();
            assertThat(r.out()).as(sub).contains("Usage: jetway " + sub).contains("--verbose");
        }
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        CliRun r = CliRun.of("fly");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Unmatched argument");
    }
}
