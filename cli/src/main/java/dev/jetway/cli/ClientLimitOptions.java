package dev.jetway.cli;

import dev.jetway.bench.load.LoadProfile;
import picocli.CommandLine.Option;

/**
 * The client's timeout and concurrency cap, shared by {@code jetway bench} and {@code jetway simulate}: both default
 * to the workload's {@code load} section and mean the same in both modes.
 */
final class ClientLimitOptions {

    @Option(names = "--timeout", paramLabel = "S",
            description = "Per-request timeout in seconds: the client gives up and the request counts as failed; a simulated engine aborts it (default: the workload's load.request_timeout, else 600).")
    Double timeout;

    @Option(names = "--max-concurrency", paramLabel = "N",
            description = "Cap on requests in flight: a request due at the cap waits, its latency counting from its planned send (default: the workload's load.max_concurrency; 0 = none).")
    Integer maxConcurrency;

    /** The timeout given, else the workload's. */
    double timeoutSeconds(LoadProfile load) {
        return timeout != null ? timeout : load.requestTimeoutSeconds();
    }

    /** The cap given, else the workload's (0 = none). */
    int maxConcurrency(LoadProfile load) {
        return maxConcurrency != null ? maxConcurrency : load.maxConcurrency();
    }
}
