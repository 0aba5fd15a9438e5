package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

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
    void versionNamesTheVersionAndTheCommitItWasBuiltFrom() {
        CliRun r = CliRun.of("--version");
        assertThat(r.exitCode()).isZero();
        // the test classpath has the build's filtered properties: a real version and a commit (this is a git checkout)
        assertThat(r.out()).matches("(?s)jetway \\d+\\.\\d+\\.\\d+\\S* \\(commit [0-9a-f]{7,}(-dirty)?, \\d{4}-\\d{2}-\\d{2}\\), "
                + "Java .*");
        java.util.Properties unfilled = new java.util.Properties();
        unfilled.setProperty("version", "0.1.0");
        unfilled.setProperty("commit", "${git.commit.id.abbrev}");
        assertThat(JetwayVersion.line(unfilled)).startsWith("jetway 0.1.0 (commit unknown), Java ");
    }

    @Test
    void everySubcommandPrintsTheVersionItsUsageOffers() {
        String expected = CliRun.of("--version").out();
        List<List<String>> paths = new ArrayList<>();
        collect(new CommandLine(new Main()), new ArrayList<>(), paths);
        assertThat(paths).hasSizeGreaterThan(10).contains(List.of("sim"), List.of("bench"), List.of("up"),
                List.of("config", "check"));
        for (List<String> path : paths) {
            for (String flag : new String[] {"-V", "--version"}) {
                List<String> args = new ArrayList<>(path);
                args.add(flag);
                CliRun r = CliRun.of(args.toArray(String[]::new));
                assertThat(r.exitCode()).as(args.toString()).isZero();
                assertThat(r.out()).as(args.toString()).isEqualTo(expected).startsWith("jetway ");
            }
        }
    }

    /** Every command below {@code cl} whose usage lists {@code --version}, as the words that reach it. */
    private static void collect(CommandLine cl, List<String> path, List<List<String>> out) {
        cl.getSubcommands().forEach((name, sub) -> {
            List<String> p = new ArrayList<>(path);
            p.add(name);
            if (sub.getCommandSpec().findOption("--version") != null) {
                out.add(p);
            }
            collect(sub, p, out);
        });
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        CliRun r = CliRun.of("fly");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Unmatched argument");
    }
}
