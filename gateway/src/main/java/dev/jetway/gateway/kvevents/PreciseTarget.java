package dev.jetway.gateway.kvevents;

/**
 * One endpoint whose KV events feed a pool's precise index.
 *
 * @param endpoint  its name in the index and the scheduler ({@code host:port} of its OpenAI API)
 * @param publisher its KV-event publisher, {@code tcp://host:port}
 * @param replay    its publisher's replay socket, {@code tcp://host:port}, or null
 */
public record PreciseTarget(String endpoint, String publisher, String replay) {
}
