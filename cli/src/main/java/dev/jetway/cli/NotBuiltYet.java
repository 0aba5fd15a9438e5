package dev.jetway.cli;

import java.io.PrintWriter;

/** The plain answer of a subcommand whose feature has not landed yet. */
final class NotBuiltYet {

    /** Exit code of a command that is not built yet (distinct from usage errors, which are 2 in picocli too). */
    static final int EXIT_CODE = 2;

    private NotBuiltYet() {
    }

    static int say(PrintWriter err, String command, String issue) {
        err.println("jetway " + command + " is not built yet (" + issue + "). See README.md for what works today.");
        err.flush();
        return EXIT_CODE;
    }
}
