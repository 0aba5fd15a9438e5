package dev.jetway.bench.load;

import dev.jetway.bench.workload.WorkloadRequest;

/** A request with the time it is due (nanoseconds from the start of the run) and the stage it belongs to. */
public record PlannedRequest(long sendAtNanos, int stage, WorkloadRequest request) {
}
