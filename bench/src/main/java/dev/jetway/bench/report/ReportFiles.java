package dev.jetway.bench.report;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Writes a report to the files a user asked for (any of them may be null). Each file is tried on its own: one that
 * cannot be written (a bad path, no permission, a renderer failing) does not keep the others from being written, and
 * its failure comes back as one line for the user instead of an exception.
 */
public final class ReportFiles {

    /** A report file that was not written, and why, in words for the user. */
    public record Failure(Path file, String cause) {

        /** {@code cannot write FILE: CAUSE}, the line a command prints on stderr. */
        public String line() {
            return "cannot write " + file + ": " + cause;
        }
    }

    private ReportFiles() {
    }

    /** Writes every file asked for; returns the ones that could not be written (empty when all were). */
    public static List<Failure> write(BenchReport report, Path json, Path markdown, Path html) {
        List<Failure> failures = new ArrayList<>();
        tryWrite(json, report, r -> JsonReport.toJson(r) + "\n", failures);
        tryWrite(markdown, report, MarkdownReport::render, failures);
        tryWrite(html, report, HtmlReport::render, failures);
        return failures;
    }

    private static void tryWrite(Path file, BenchReport report, Function<BenchReport, String> render,
                                 List<Failure> failures) {
        if (file == null) {
            return;
        }
        String text;
        try {
            text = render.apply(report);
        } catch (RuntimeException e) {
            // a renderer bug must not cost the other files or the results already printed
            failures.add(new Failure(file, "the report could not be rendered (" + describe(e) + ")"));
            return;
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, text);
        } catch (IOException e) {
            failures.add(new Failure(file, cause(file, e)));
        }
    }

    /** The cause of a failed write in the words a user expects ("permission denied"), naming the path at fault. */
    static String cause(Path file, IOException e) {
        return switch (e) {
            // createDirectories on an existing file: the path goes through a file as if it were a directory
            case FileAlreadyExistsException f -> f.getFile() + " is not a directory";
            case AccessDeniedException a -> "permission denied" + atOther(file, a);
            case NoSuchFileException n -> "no such file or directory" + atOther(file, n);
            case FileSystemException f when f.getReason() != null -> f.getReason().toLowerCase(java.util.Locale.ROOT)
                    + atOther(file, f);
            default -> describe(e);
        };
    }

    /** " (on PATH)" when the failing path is not the file itself (a directory on the way), else nothing. */
    private static String atOther(Path file, FileSystemException e) {
        boolean same = e.getFile() == null || Path.of(e.getFile()).toAbsolutePath().equals(file.toAbsolutePath());
        return same ? "" : " (on " + e.getFile() + ")";
    }

    private static String describe(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
