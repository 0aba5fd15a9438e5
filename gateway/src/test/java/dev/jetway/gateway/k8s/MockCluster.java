package dev.jetway.gateway.k8s;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes the objects discovery watches into fabric8's mock API server (CRUD mode), as a cluster would change them. */
final class MockCluster {

    static final String NS = "ns";

    /** The mock server logs every request through java.util.logging; held so that the level sticks. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final KubernetesClient client;

    MockCluster(KubernetesMockServer server, KubernetesClient client) {
        server.expectCustomResource(InferenceApi.INFERENCE_POOL);
        server.expectCustomResource(InferenceApi.INFERENCE_OBJECTIVE);
        this.client = client;
    }

    static Pod pod(String name, String ip, Map<String, String> labels, boolean ready) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).withLabels(labels).endMetadata()
                .withNewStatus().withPhase("Running").withPodIP(ip)
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus().build();
    }

    void inferencePool(String name, Map<String, String> matchLabels, int... targetPorts) {
        List<Map<String, Object>> ports = new ArrayList<>();
        for (int p : targetPorts) {
            ports.add(Map.of("number", p));
        }
        client.genericKubernetesResources(InferenceApi.INFERENCE_POOL).inNamespace(NS).resource(
                new GenericKubernetesResourceBuilder().withApiVersion("inference.networking.k8s.io/v1")
                        .withKind("InferencePool").withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                        .withAdditionalProperties(Map.of("spec", Map.of("selector", Map.of("matchLabels", matchLabels),
                                "targetPorts", ports, "endpointPickerRef", Map.of("name", name + "-epp"))))
                        .build()).createOr(NonDeletingOperation::update);
    }

    void pod(String name, String ip, Map<String, String> labels) {
        client.pods().inNamespace(NS).resource(pod(name, ip, labels, true)).create();
    }

    void ready(String name, boolean ready) {
        Pod pod = client.pods().inNamespace(NS).withName(name).get();
        pod.getStatus().getConditions().getFirst().setStatus(ready ? "True" : "False");
        client.pods().inNamespace(NS).resource(pod).updateStatus();
    }

    void deletePod(String name) {
        client.pods().inNamespace(NS).withName(name).delete();
    }

    void objective(String name, int priority, String pool) {
        client.genericKubernetesResources(InferenceApi.INFERENCE_OBJECTIVE).inNamespace(NS).resource(
                new GenericKubernetesResourceBuilder().withApiVersion("llm-d.ai/v1alpha2")
                        .withKind("InferenceObjective").withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                        .withAdditionalProperties(Map.of("spec", Map.of("priority", priority,
                                "poolRef", Map.of("group", "inference.networking.k8s.io", "name", pool))))
                        .build()).createOr(NonDeletingOperation::update);
    }

    void configMap(String name, Map<String, String> data) {
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName(name)
                .withNamespace(NS).endMetadata().withData(data).build()).createOr(NonDeletingOperation::update);
    }
}
