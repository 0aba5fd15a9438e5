package dev.jetway.scheduler.sync;

import dev.jetway.scheduler.InFlightCounts;
import java.util.Objects;

/** What the sending gateway itself has in flight on one endpoint when it took the digest. */
public record EndpointLoad(String endpointId, InFlightCounts counts) {

    public EndpointLoad {
        Objects.requireNonNull(endpointId, "endpointId");
        Objects.requireNonNull(counts, "counts");
    }
}
