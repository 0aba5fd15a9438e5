package dev.jetway.gateway.config;

import java.time.Duration;

/**
 * How the gateway reaches the Kubernetes API, for pools with {@code inferencePool} or {@code endpointPickerConfigMap}.
 * Credentials come from the usual places (fabric8's order): {@code kubeconfig} if given, else {@code $KUBECONFIG},
 * {@code ~/.kube/config}, or the pod's service account when running in a cluster.
 *
 * @param namespace  namespace of InferencePools, pods, InferenceObjectives and ConfigMaps that name none; absent = the
 *                   kubeconfig context's namespace, in a cluster the pod's own
 * @param kubeconfig a kubeconfig file (relative to jetway.yaml); absent = the usual places
 * @param context    kubeconfig context; absent = the current one
 * @param debounce   a burst of changes (a rollout, a scale-up) within this window becomes one configuration change
 */
public record KubernetesSettings(String namespace, String kubeconfig, String context, Duration debounce) {

    public KubernetesSettings {
        debounce = debounce == null ? Duration.ofMillis(150) : debounce;
        ConfigChecks.positive("kubernetes.debounce", debounce);
        if (debounce.compareTo(Duration.ofMillis(800)) > 0) {
            // a pod must join or leave within a second of the API server saying so
            throw new IllegalArgumentException("kubernetes.debounce must be at most 800ms, got " + debounce);
        }
    }

    public static KubernetesSettings defaults() {
        return new KubernetesSettings(null, null, null, null);
    }

    public KubernetesSettings withNamespace(String ns) {
        return new KubernetesSettings(ns, kubeconfig, context, debounce);
    }

    public KubernetesSettings withKubeconfig(String file) {
        return new KubernetesSettings(namespace, file, context, debounce);
    }
}
