package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** One {@code jetway} command line, run in this process as a user would type it, and what it printed. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /**
     * A long-running {@code jetway} command ({@code gateway}, {@code epp}) on a thread of its own, started once its
     * banner appears on stdout and stopped by interrupting it (the command's interrupt path).
     *
     * @param banner the banner's match, for the ports it names
     */
    record InBackground(String name, Thread thread, Matcher banner) implements AutoCloseable {

        static InBackground start(String name, Pattern banner, String... args) throws InterruptedException {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            Thread t = new Thread(() -> {
                CommandLine cli = new CommandLine(new Main());
                cli.setOut(new PrintWriter(out, true));
                cli.setErr(new PrintWriter(err, true));
                cli.execute(args);
            }, name.replace(' ', '-') + "-under-test");
            t.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            Matcher m;
            while (!(m = banner.matcher(out.toString())).find()) {
                if (!t.isAlive() || System.nanoTime() > deadline) {
                    t.interrupt();
                    throw new AssertionError(name + " did not start: " + err + out);
                }
                Thread.sleep(20);
            }
            return new InBackground(name, t, m);
        }

        @Override
        public void close() {
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertThat(thread.isAlive()).as(name + " stopped").isFalse();
        }
    }
}
