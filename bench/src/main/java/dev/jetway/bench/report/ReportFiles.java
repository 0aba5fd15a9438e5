package dev.jetway.bench.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a report to the files a user asked for (any of them may be null). */
public final class ReportFiles {

    private ReportFiles() {
    }

    public static void write(BenchReport report, Path json, Path markdown, Path html) {
        if (json != null) {
            writeString(json, JsonReport.toJson(report) + "\n");
        }
        if (markdown != null) {
            writeString(markdown, MarkdownReport.render(report));
        }
        if (html != null) {
            writeString(html, HtmlReport.render(report));
        }
    }

    private static void writeString(Path file, String text) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
