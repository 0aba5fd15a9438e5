package dev.jetway.gateway.http;

import java.time.Duration;

/**
 * Told to every client connection (and, by {@link Http2Connection}, to every HTTP/2 stream) as the gateway drains for
 * shutdown: first {@link Start} (take no new request, close when idle), then, for those still busy when the drain
 * time runs out, {@link Deadline} (stop the request in flight).
 */
sealed interface DrainEvent {

    /** Take no new request; close the connection once nothing of it is in flight. */
    record Start() implements DrainEvent {
    }

    /** The drain time ran out: stop the request in flight (a stream ends with an SSE error event). */
    record Deadline(Duration drainTimeout) implements DrainEvent {
    }

    Start START = new Start();
}
