package dev.jetway.cli;

import dev.jetway.bench.metrics.Slo;
import dev.jetway.bench.report.BenchReport;
import dev.jetway.bench.report.ReportFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The SLO, report-file and progress options that {@code jetway bench} and {@code jetway simulate} share. */
final class ReportOptions {

    @Option(names = "--slo-ttft", description = "SLO on TTFT in seconds, for goodput.")
    Double sloTtft;

    @Option(names = "--slo-tpot", description = "SLO on time per output token in seconds, for goodput.")
    Double sloTpot;

    @Option(names = "--json", description = "Write the JSON report here.")
    Path json;

    @Option(names = "--markdown", description = "Write the Markdown report here.")
    Path markdown;

    @Option(names = "--html", description = "Write the HTML report (charts inline) here.")
    Path html;

    @Option(names = "--no-progress", description = "No progress bar on stderr.")
    boolean noProgress;

    /** The SLO for goodput, or null when neither bound was given (an absent bound does not constrain). */
    Slo slo() {
        return sloTtft != null || sloTpot != null
                ? new Slo(sloTtft == null ? 0 : sloTtft, sloTpot == null ? 0 : sloTpot) : null;
    }

    /** Records the SLO in a report's settings, for provenance. */
    void putSlo(Map<String, Object> settings) {
        settings.put("slo_ttft_s", sloTtft);
        settings.put("slo_tpot_s", sloTpot);
    }

    /**
     * Writes the report files that were asked for, each on its own; a file that cannot be written is one line on
     * {@code err} ({@code jetway bench: cannot write FILE: CAUSE}) and does not stop the others.
     *
     * @return true when every file asked for was written
     */
    boolean write(BenchReport report, PrintWriter err, String command) {
        List<ReportFiles.Failure> failures = ReportFiles.write(report, json, markdown, html);
        for (ReportFiles.Failure f : failures) {
            err.println(command + ": " + f.line());
        }
        err.flush();
        return failures.isEmpty();
    }
}
