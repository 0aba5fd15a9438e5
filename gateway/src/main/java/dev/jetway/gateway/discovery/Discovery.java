package dev.jetway.gateway.discovery;

import dev.jetway.gateway.config.GatewayConfig;

/**
 * Something outside jetway.yaml that fills in part of the configuration while the gateway runs: the endpoints of a
 * pool (Kubernetes pods, a watched file), its EndpointPickerConfig, the objectives' priorities.
 * {@link LiveConfiguration} composes jetway.yaml with every source and applies the result as a live reload.
 */
public interface Discovery extends AutoCloseable {

    /**
     * Watches what {@code config} (jetway.yaml as written) asks this source for; called again with the new file when
     * jetway.yaml changes. {@code onChange} may be called from any thread whenever what this source contributes
     * changes.
     */
    void watch(GatewayConfig config, Runnable onChange);

    /** {@code config} with what this source knows now filled in. Must not fail: a source keeps its last good view. */
    GatewayConfig applyTo(GatewayConfig config);

    /** Null once everything this source watches has been read; else what it still waits for (shown by {@code /ready}). */
    String waitingFor();

    @Override
    void close();
}
