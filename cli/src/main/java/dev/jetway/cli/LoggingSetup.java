package dev.jetway.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** Applies {@code --verbose}/{@code --quiet} of the chosen subcommand before it runs. */
final class LoggingSetup {

    int execute(ParseResult parseResult) {
        ParseResult leaf = parseResult;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        for (Object mixin : leaf.commandSpec().mixins().values().stream().map(m -> m.userObject()).toList()) {
            if (mixin instanceof LogOptions options) {
                apply(options);
            }
        }
        return new CommandLine.RunLast().execute(parseResult);
    }

    static void apply(LogOptions options) {
        Logger jetway = (Logger) LoggerFactory.getLogger("dev.jetway");
        if (options.verbose) {
            jetway.setLevel(Level.DEBUG);
        } else if (options.quiet) {
            jetway.setLevel(Level.WARN);
        }
    }
}
