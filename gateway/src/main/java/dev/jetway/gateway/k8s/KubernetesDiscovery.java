package dev.jetway.gateway.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.gateway.config.EndpointConfig;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.config.InferencePoolRef;
import dev.jetway.gateway.config.KubernetesSettings;
import dev.jetway.gateway.config.PoolConfig;
import dev.jetway.gateway.discovery.Discovery;
import dev.jetway.gateway.discovery.ProblemLog;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pools from Kubernetes: a pool with {@code inferencePool} gets the endpoints of that InferencePool's ready pods, a
 * pool with {@code endpointPickerConfigMap} its EndpointPickerConfig from that ConfigMap, and the InferenceObjectives
 * that name a discovered InferencePool set the priorities of their requests (over {@code admission.objectives}).
 * Informers keep local caches; {@link #applyTo} derives the configuration from them.
 */
public final class KubernetesDiscovery implements Discovery {

    private static final Logger log = LoggerFactory.getLogger(KubernetesDiscovery.class);

    private final KubernetesClient client;
    private final boolean ownsClient;
    private final ProblemLog problems = new ProblemLog(log);
    private final ConfigMapPickers pickers = new ConfigMapPickers(problems);
    private final Map<String, NamespaceWatch> namespaces = new HashMap<>();
    private volatile GatewayConfig watched;

    /** Discovery through {@code client}; {@code ownsClient}: close it with this. */
    public KubernetesDiscovery(KubernetesClient client, boolean ownsClient) {
        this.client = client;
        this.ownsClient = ownsClient;
    }

    /** Connects with {@code settings}: its kubeconfig (relative to {@code baseDir}), else fabric8's usual places. */
    public static KubernetesDiscovery connect(KubernetesSettings settings, Path baseDir) {
        return new KubernetesDiscovery(client(settings, baseDir), true);
    }

    /** A client as jetway.yaml's {@code kubernetes} settings say: its kubeconfig, else fabric8's usual places. */
    public static KubernetesClient client(KubernetesSettings settings, Path baseDir) {
        Config config = settings.kubeconfig() != null
                ? Config.fromKubeconfig(settings.context(), baseDir.resolve(settings.kubeconfig()).toFile())
                : Config.autoConfigure(settings.context());
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        log.info("kubernetes API {} (namespace {})", client.getMasterUrl(), client.getNamespace());
        return client;
    }

    /** {@link #client(KubernetesSettings, Path)} for a whole configuration. */
    public static KubernetesClient client(GatewayConfig config) {
        return client(config.kubernetes(), config.baseDir());
    }

    @Override
    public synchronized void watch(GatewayConfig config, Runnable onChange) {
        GatewayConfig before = watched;
        if (before != null && !sameConnection(before.kubernetes(), config.kubernetes())) {
            log.warn("kubernetes.kubeconfig and kubernetes.context take effect at the next start");
        }
        watched = config;
        Map<String, Boolean> poolsIn = new HashMap<>();
        Map<String, Set<String>> configMapsIn = new HashMap<>();
        for (PoolConfig p : config.pools()) {
            if (p.inferencePool() != null) {
                poolsIn.put(namespace(config, p.inferencePool().namespace()), true);
            }
            if (p.endpointPickerConfigMap() != null) {
                configMapsIn.computeIfAbsent(namespace(config, p.endpointPickerConfigMap().namespace()),
                        ns -> new HashSet<>()).add(p.endpointPickerConfigMap().name());
            }
        }
        Set<String> needed = new HashSet<>(poolsIn.keySet());
        needed.addAll(configMapsIn.keySet());
        for (String ns : new ArrayList<>(namespaces.keySet())) {
            if (!needed.contains(ns)) {
                namespaces.remove(ns).close();
            }
        }
        for (String ns : needed) {
            namespaces.computeIfAbsent(ns, n -> new NamespaceWatch(client, n, onChange))
                    .watch(poolsIn.getOrDefault(ns, false), configMapsIn.getOrDefault(ns, Set.of()));
        }
        Set<String> withConfigMap = new HashSet<>();
        config.pools().stream().filter(p -> p.endpointPickerConfigMap() != null)
                .forEach(p -> withConfigMap.add(p.name()));
        pickers.retain(withConfigMap);
    }

    private static boolean sameConnection(KubernetesSettings a, KubernetesSettings b) {
        return java.util.Objects.equals(a.kubeconfig(), b.kubeconfig())
                && java.util.Objects.equals(a.context(), b.context());
    }

    private String namespace(GatewayConfig config, String explicit) {
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        if (config.kubernetes().namespace() != null) {
            return config.kubernetes().namespace();
        }
        return client.getNamespace() != null ? client.getNamespace() : "default";
    }

    private synchronized NamespaceWatch in(String namespace) {
        return namespaces.get(namespace);
    }

    @Override
    public GatewayConfig applyTo(GatewayConfig config) {
        Map<String, Integer> objectives = new LinkedHashMap<>(config.admission().objectives());
        List<PoolConfig> pools = new ArrayList<>(config.pools().size());
        for (PoolConfig p : config.pools()) {
            PoolConfig out = p;
            if (p.inferencePool() != null) {
                String ns = namespace(config, p.inferencePool().namespace());
                NamespaceWatch w = in(ns);
                out = out.withEndpoints(w == null ? List.of() : endpoints(p, ns, w));
                if (w != null) {
                    objectives.putAll(objectives(p.inferencePool(), ns, w));
                }
            }
            if (p.endpointPickerConfigMap() != null) {
                String ns = namespace(config, p.endpointPickerConfigMap().namespace());
                NamespaceWatch w = in(ns);
                JsonNode picker = pickers.picker(p.name(), p.endpointPickerConfigMap(), ns,
                        w == null ? null : w.configMap(p.endpointPickerConfigMap().name()), config.baseDir());
                if (picker != null) {
                    out = out.withEndpointPicker(picker);
                }
            }
            pools.add(out);
        }
        return config.withPools(pools).withAdmission(config.admission().withObjectives(objectives));
    }

    private List<EndpointConfig> endpoints(PoolConfig p, String ns, NamespaceWatch w) {
        InferencePoolRef ref = p.inferencePool();
        String subject = "pool " + p.name() + " inferencePool " + ns + "/" + ref.name();
        GenericKubernetesResource resource = w.inferencePool(ref.name());
        if (resource == null) {
            // before the first list there is nothing to report: waitingFor covers it
            problems.report(subject, w.unsynced().isEmpty() ? "InferencePool not found; the pool has no endpoints"
                    : null);
            return List.of();
        }
        try {
            InferencePoolSpec spec = InferencePoolSpec.from(resource);
            List<EndpointConfig> endpoints = PodEndpoints.of(spec, w.pods(), ref.kvEventsPort());
            problems.report(subject, null);
            problems.notice(subject + " appProtocol", spec.appProtocol().equals("http") ? null
                    : spec.appProtocol() + " is not spoken here: Jetway sends the OpenAI API over HTTP/1.1");
            return endpoints;
        } catch (IllegalArgumentException e) {
            problems.report(subject, e.getMessage() + "; the pool has no endpoints");
            return List.of();
        }
    }

    private Map<String, Integer> objectives(InferencePoolRef ref, String ns, NamespaceWatch w) {
        Map<String, Integer> out = new HashMap<>();
        for (GenericKubernetesResource r : w.inferenceObjectives()) {
            String subject = "InferenceObjective " + ns + "/" + r.getMetadata().getName();
            try {
                InferenceObjectiveSpec o = InferenceObjectiveSpec.from(r);
                problems.report(subject, null);
                if (o.poolName().equals(ref.name())) {
                    out.put(o.name(), o.priority());
                }
            } catch (IllegalArgumentException e) {
                problems.report(subject, e.getMessage() + "; ignored");
            }
        }
        return out;
    }

    @Override
    public String waitingFor() {
        GatewayConfig config = watched;
        if (config == null) {
            return null;
        }
        synchronized (this) {
            for (NamespaceWatch w : namespaces.values()) {
                List<String> unsynced = w.unsynced();
                if (!unsynced.isEmpty()) {
                    return "kubernetes: " + String.join(", ", unsynced) + " in namespace " + w.namespace();
                }
            }
        }
        for (PoolConfig p : config.pools()) {
            if (p.endpointPickerConfigMap() != null && !pickers.loaded(p.name())) {
                return "pool " + p.name() + ": an EndpointPickerConfig that loads from ConfigMap "
                        + namespace(config, p.endpointPickerConfigMap().namespace()) + "/"
                        + p.endpointPickerConfigMap().name() + " key " + p.endpointPickerConfigMap().key();
            }
        }
        return null;
    }

    @Override
    public synchronized void close() {
        namespaces.values().forEach(NamespaceWatch::close);
        namespaces.clear();
        if (ownsClient) {
            client.close();
        }
    }
}
