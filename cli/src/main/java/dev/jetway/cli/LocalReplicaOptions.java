package dev.jetway.cli;

import dev.jetway.sim.SimOptions;
import picocli.CommandLine.Option;

/** The simulated replicas that {@code jetway up} and {@code jetway demo} start on this machine. */
final class LocalReplicaOptions {

    @Option(names = "--replicas", defaultValue = "4", description = "Simulated replicas (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--profile", defaultValue = SimOptions.DEFAULT_PROFILE,
            description = "Engine profile of the replicas (default: ${DEFAULT-VALUE}).")
    String profile;

    /**
     * Throws, naming the flag, when {@code replicas} cannot start a cluster. Both commands check through here so
     * they refuse the same counts with the same words.
     */
    static void checkReplicas(int replicas) {
        if (replicas < 1) {
            throw new IllegalArgumentException("--replicas must be at least 1");
        }
    }
}
