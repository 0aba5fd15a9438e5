package dev.jetway.scheduler.sync;

import java.util.Objects;

/**
 * One routing decision as a prefix index records it: {@code producer} (the plugin's name) recorded that the request
 * with these block keys was sent to {@code endpointId}.
 */
public record RoutedBlocks(String producer, String endpointId, long[] keys) {

    public RoutedBlocks {
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(endpointId, "endpointId");
        Objects.requireNonNull(keys, "keys");
    }
}
