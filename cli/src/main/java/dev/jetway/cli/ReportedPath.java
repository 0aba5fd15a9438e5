package dev.jetway.cli;

import java.nio.file.Path;

/**
 * How a report names a file it read (the workload): a relative path as typed, an absolute one relative to the
 * working directory when it lies under it, else by its file name. A report is shared, published and committed: it
 * says which workload of the repository ran ({@code docs/workloads/llm-d-57x.yaml}), not where one machine kept it.
 */
final class ReportedPath {

    private ReportedPath() {
    }

    static String of(Path file) {
        return of(file, Path.of("").toAbsolutePath());
    }

    static String of(Path file, Path workingDir) {
        Path normal = file.normalize();
        if (!normal.isAbsolute()) {
            return normal.toString();
        }
        Path dir = workingDir.toAbsolutePath().normalize();
        if (normal.startsWith(dir) && !normal.equals(dir)) {
            return dir.relativize(normal).toString();
        }
        Path name = normal.getFileName();
        return name == null ? normal.toString() : name.toString();
    }
}
