package dev.jetway.gateway.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Informers for one namespace: its pods, InferencePools and InferenceObjectives (when some pool there is discovered)
 * and the ConfigMaps that hold EndpointPickerConfigs (one informer per name). Every event only signals
 * {@code onChange}; the discovery re-derives the endpoints from the informers' caches when it applies, so a burst of
 * events costs one derivation.
 */
final class NamespaceWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NamespaceWatch.class);

    private final KubernetesClient client;
    private final String namespace;
    private final Runnable onChange;
    private SharedIndexInformer<Pod> pods;
    private SharedIndexInformer<GenericKubernetesResource> pools;
    private SharedIndexInformer<GenericKubernetesResource> objectives;
    /** Set when the InferenceObjective CRD is not installed: priorities then come from jetway.yaml only. */
    private volatile boolean objectivesAbsent;
    private final Map<String, SharedIndexInformer<ConfigMap>> configMaps = new HashMap<>();

    NamespaceWatch(KubernetesClient client, String namespace, Runnable onChange) {
        this.client = client;
        this.namespace = namespace;
        this.onChange = onChange;
    }

    String namespace() {
        return namespace;
    }

    /** Starts or stops informers so that exactly what is asked for is watched. */
    synchronized void watch(boolean inferencePools, Set<String> configMapNames) {
        if (inferencePools && pods == null) {
            pods = start(client.pods().inNamespace(namespace).runnableInformer(0), "pods", false);
            pools = start(client.genericKubernetesResources(InferenceApi.INFERENCE_POOL).inNamespace(namespace)
                    .runnableInformer(0), InferenceApi.describe(InferenceApi.INFERENCE_POOL), false);
            objectives = start(client.genericKubernetesResources(InferenceApi.INFERENCE_OBJECTIVE)
                    .inNamespace(namespace).runnableInformer(0),
                    InferenceApi.describe(InferenceApi.INFERENCE_OBJECTIVE), true);
        } else if (!inferencePools && pods != null) {
            pods.stop();
            pools.stop();
            objectives.stop();
            pods = null;
            pools = null;
            objectives = null;
        }
        for (String gone : new ArrayList<>(configMaps.keySet())) {
            if (!configMapNames.contains(gone)) {
                configMaps.remove(gone).stop();
            }
        }
        for (String name : configMapNames) {
            configMaps.computeIfAbsent(name, n -> start(client.configMaps().inNamespace(namespace)
                    .withField("metadata.name", n).runnableInformer(0), "ConfigMap " + n, false));
        }
    }

    private <T extends HasMetadata> SharedIndexInformer<T> start(SharedIndexInformer<T> informer, String what,
                                                                 boolean optional) {
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T obj) {
                onChange.run();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                onChange.run();
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                onChange.run();
            }
        });
        informer.exceptionHandler((started, t) -> {
            if (optional && !started && status(t) == 404) {
                log.warn("{} in namespace {}: not installed (404); request priorities come from jetway.yaml "
                        + "admission.objectives only", what, namespace);
                objectivesAbsent = true;
                onChange.run();
                return false;
            }
            // the informer retries with backoff; forbidden (403) means the RBAC role lacks list/watch
            log.warn("watching {} in namespace {} failed, retrying: {}", what, namespace, t.toString());
            return true;
        });
        informer.start();
        return informer;
    }

    /** The HTTP status of the API server's answer behind {@code t} (informers wrap it), or 0. */
    private static int status(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KubernetesClientException e) {
                return e.getCode();
            }
        }
        return 0;
    }

    /** What has not been listed yet (empty when every informer has synced). */
    synchronized List<String> unsynced() {
        List<String> out = new ArrayList<>();
        if (pods != null) {
            if (!pods.hasSynced()) {
                out.add("pods");
            }
            if (!pools.hasSynced()) {
                out.add("InferencePools");
            }
            if (!objectivesAbsent && !objectives.hasSynced()) {
                out.add("InferenceObjectives");
            }
        }
        configMaps.forEach((name, informer) -> {
            if (!informer.hasSynced()) {
                out.add("ConfigMap " + name);
            }
        });
        return out;
    }

    synchronized List<Pod> pods() {
        return pods == null ? List.of() : pods.getStore().list();
    }

    synchronized GenericKubernetesResource inferencePool(String name) {
        return pools == null ? null : pools.getStore().getByKey(namespace + "/" + name);
    }

    synchronized List<GenericKubernetesResource> inferenceObjectives() {
        return objectives == null || objectivesAbsent ? List.of() : objectives.getStore().list();
    }

    synchronized ConfigMap configMap(String name) {
        SharedIndexInformer<ConfigMap> informer = configMaps.get(name);
        return informer == null ? null : informer.getStore().getByKey(namespace + "/" + name);
    }

    @Override
    public synchronized void close() {
        watch(false, Set.of());
    }
}
