package dev.jetway.cli;

import dev.jetway.gateway.config.ConfigMapKeyRef;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.config.InferencePoolRef;
import dev.jetway.gateway.config.PoolConfig;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code jetway gateway}'s flags for the common case of one discovered pool, as llm-d's endpoint picker takes them
 * ({@code --pool-name}, {@code --pool-namespace}, a config file): the pool of {@code --config}'s file, or of an
 * otherwise empty configuration when there is no file, takes its endpoints and picker from these.
 */
final class DiscoveryOptions {

    @Option(names = "--inference-pool", paramLabel = "NAME",
            description = "Discover the pool's endpoints from this InferencePool (inference.networking.k8s.io/v1): its "
                    + "ready pods, podIP:targetPort. Without --config the pool is named after it and serves every "
                    + "model.")
    String inferencePool;

    @Option(names = "--namespace", paramLabel = "NS",
            description = "Namespace of the InferencePool, its pods, InferenceObjectives and the picker ConfigMap "
                    + "(overrides kubernetes.namespace; default: the kubeconfig's, in a cluster the pod's own).")
    String namespace;

    @Option(names = "--epp-config-map", paramLabel = "NAME[/KEY]",
            description = "Take the pool's EndpointPickerConfig from this ConfigMap key (default key "
                    + ConfigMapKeyRef.DEFAULT_KEY + ", as llm-d's chart writes it), applied live when it changes.")
    String eppConfigMap;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Kubeconfig to reach the API server (default: $KUBECONFIG, ~/.kube/config, or the pod's "
                    + "service account).")
    Path kubeconfig;

    @Option(names = "--endpoints-file", paramLabel = "FILE",
            description = "Discover the pool's endpoints from this YAML/JSON file (llm-d file-discovery's format "
                    + "too), re-read when it changes; for fleets without Kubernetes.")
    Path endpointsFile;

    /** True when some flag asks for discovery. */
    boolean any() {
        return inferencePool != null || eppConfigMap != null || endpointsFile != null;
    }

    /**
     * {@code written} (jetway.yaml, or null when there is none) with the flags applied. Throws
     * {@link IllegalArgumentException} saying what does not fit.
     */
    GatewayConfig apply(GatewayConfig written) {
        if (inferencePool != null && endpointsFile != null) {
            throw new IllegalArgumentException("--inference-pool and --endpoints-file both say where the endpoints "
                    + "come from; keep one");
        }
        GatewayConfig config = written;
        if (config == null) {
            if (inferencePool == null && endpointsFile == null) {
                throw new IllegalArgumentException("needs --config FILE, or --inference-pool NAME / --endpoints-file "
                        + "FILE to discover the endpoints");
            }
            String name = inferencePool != null ? inferencePool : "default";
            config = new GatewayConfig(null, null, null, null, List.of(new PoolConfig(name, null, null, null)), null);
        }
        if (namespace != null) {
            config = config.withKubernetes(config.kubernetes().withNamespace(namespace));
        }
        if (kubeconfig != null) {
            config = config.withKubernetes(config.kubernetes().withKubeconfig(kubeconfig.toAbsolutePath().toString()));
        }
        if (!any()) {
            return config;
        }
        if (config.pools().size() != 1) {
            throw new IllegalArgumentException("--inference-pool, --epp-config-map and --endpoints-file apply to a "
                    + "configuration with one pool; " + config.pools().size() + " pools need pools[].inferencePool, "
                    + "endpointPickerConfigMap or endpointsFile in the file");
        }
        PoolConfig pool = config.pools().getFirst();
        if (inferencePool != null) {
            pool = pool.withEndpointsFile(null).withInferencePool(new InferencePoolRef(inferencePool,
                    pool.inferencePool() == null ? null : pool.inferencePool().namespace(),
                    pool.inferencePool() == null ? null : pool.inferencePool().kvEventsPort()));
        }
        if (endpointsFile != null) {
            pool = pool.withInferencePool(null).withEndpointsFile(endpointsFile.toAbsolutePath().toString());
        }
        if (eppConfigMap != null) {
            pool = pool.withEndpointPicker(null).withEndpointPickerConfigMap(ConfigMapKeyRef.parse(eppConfigMap));
        }
        pool.checkAsWritten();
        return config.withPools(List.of(pool));
    }
}
