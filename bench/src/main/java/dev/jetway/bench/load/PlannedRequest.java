package dev.jetway.bench.load;

import dev.jetway.bench.traffic.TrafficClass;
import dev.jetway.bench.workload.WorkloadRequest;

/**
 * A request with the time it is due (nanoseconds from the start of the run), the stage it belongs to and the traffic
 * class that sends it (null when the workload has no {@code traffic} section).
 */
public record PlannedRequest(long sendAtNanos, int stage, WorkloadRequest request, TrafficClass trafficClass) {

    /** A request of no traffic class. */
    public PlannedRequest(long sendAtNanos, int stage, WorkloadRequest request) {
        this(sendAtNanos, stage, request, null);
    }
}
