package dev.jetway.cli;

import picocli.CommandLine.Option;

/** {@code --verbose} / {@code --quiet}, mixed into every subcommand. */
public final class LogOptions {

    @Option(names = {"-v", "--verbose"}, description = "Log debug details (decisions, scrapes, events).")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "Log warnings and errors only.")
    boolean quiet;
}
