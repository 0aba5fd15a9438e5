package dev.jetway.gateway.config;

/**
 * A pool whose endpoints come from a Gateway API Inference Extension {@code InferencePool}
 * ({@code inference.networking.k8s.io/v1}): the ready pods its selector matches, one endpoint per pod and target
 * port.
 *
 * @param name         the InferencePool's name
 * @param namespace    its namespace; absent = {@code kubernetes.namespace}
 * @param kvEventsPort the model servers' KV-event publisher port (vLLM {@code --kv-events-config} endpoint), so that
 *                     each endpoint subscribes at {@code tcp://podIP:port}; rank {@code i} of a pod with several
 *                     target ports publishes on {@code port + i}, as vLLM's data-parallel ranks do. Absent = none
 */
public record InferencePoolRef(String name, String namespace, Integer kvEventsPort) {

    public InferencePoolRef {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("inferencePool.name is required");
        }
        if (kvEventsPort != null) {
            ConfigChecks.port("inferencePool.kvEventsPort", kvEventsPort);
        }
    }
}
