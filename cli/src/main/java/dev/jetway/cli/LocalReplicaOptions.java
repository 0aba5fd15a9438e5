package dev.jetway.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** The simulated replicas that {@code jetway up} and {@code jetway demo} start on this machine. */
final class LocalReplicaOptions {

    @Option(names = "--replicas", defaultValue = "4", description = "Simulated replicas (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--profile", defaultValue = "qwen3-32b-h100-tp2",
            description = "Engine profile of the replicas (default: ${DEFAULT-VALUE}).")
    String profile;

    /** Prints what is wrong to {@code err} and returns false when the options cannot start a cluster. */
    boolean valid(PrintWriter err) {
        if (replicas < 1) {
            err.println("--replicas must be at least 1");
            return false;
        }
        return true;
    }
}
