package dev.jetway.gateway.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.gateway.config.EndpointConfig;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** InferencePool + pods → endpoints, as GIE's endpoint picker derives them. */
class PodEndpointsTest {

    private static final InferencePoolSpec POOL = new InferencePoolSpec(Map.of("app", "vllm"), List.of(8000), null);

    @Test
    void readyAddressablePodsTheSelectorMatchesAreEndpoints() {
        List<Pod> pods = List.of(
                MockCluster.pod("b", "127.0.0.12", Map.of("app", "vllm", "llm-d.ai/role", "decode"), true),
                MockCluster.pod("a", "127.0.0.11", Map.of("app", "vllm"), true),
                MockCluster.pod("unready", "127.0.0.13", Map.of("app", "vllm"), false),
                MockCluster.pod("other", "127.0.0.14", Map.of("app", "sglang"), true),
                MockCluster.pod("no-ip", null, Map.of("app", "vllm"), true),
                deleting(MockCluster.pod("leaving", "127.0.0.15", Map.of("app", "vllm"), true)),
                failed(MockCluster.pod("failed", "127.0.0.16", Map.of("app", "vllm"), true)));
        List<EndpointConfig> eps = PodEndpoints.of(POOL, pods, null);
        assertThat(eps).extracting(EndpointConfig::address).containsExactly("127.0.0.11:8000", "127.0.0.12:8000");
        assertThat(eps.get(1).effectiveLabels()).containsEntry("llm-d.ai/role", "decode").containsEntry("app", "vllm");
        assertThat(eps.getFirst().kvEvents()).isNull();
    }

    @Test
    void aPodWithSeveralTargetPortsIsOneEndpointPerRank() {
        var pool = new InferencePoolSpec(Map.of("app", "vllm"), List.of(8000, 8001), "http");
        List<EndpointConfig> eps = PodEndpoints.of(pool,
                List.of(MockCluster.pod("a", "127.0.0.11", Map.of("app", "vllm"), true),
                        MockCluster.pod("v6", "fd00::7", Map.of("app", "vllm"), true)), 5557);
        assertThat(eps).extracting(EndpointConfig::address)
                .containsExactly("127.0.0.11:8000", "127.0.0.11:8001", "[fd00::7]:8000", "[fd00::7]:8001");
        assertThat(eps).extracting(EndpointConfig::kvEvents).containsExactly("tcp://127.0.0.11:5557",
                "tcp://127.0.0.11:5558", "tcp://[fd00::7]:5557", "tcp://[fd00::7]:5558");
    }

    @Test
    void hostNetworkPodsSharingAnAddressGiveOneEndpoint() {
        List<EndpointConfig> eps = PodEndpoints.of(POOL,
                List.of(MockCluster.pod("a", "127.0.0.11", Map.of("app", "vllm"), true),
                        MockCluster.pod("b", "127.0.0.11", Map.of("app", "vllm"), true)), null);
        assertThat(eps).singleElement().extracting(EndpointConfig::address).isEqualTo("127.0.0.11:8000");
    }

    @Test
    void readsTheV1Spec() {
        var spec = InferencePoolSpec.from(pool(Map.of("selector", Map.of("matchLabels", Map.of("app", "vllm")),
                "targetPorts", List.of(Map.of("number", 8000), Map.of("number", 8002)),
                "appProtocol", "kubernetes.io/h2c",
                "endpointPickerRef", Map.of("name", "epp", "port", Map.of("number", 9002)))));
        assertThat(spec.selector()).isEqualTo(Map.of("app", "vllm"));
        assertThat(spec.targetPorts()).containsExactly(8000, 8002);
        assertThat(spec.appProtocol()).isEqualTo("kubernetes.io/h2c");
    }

    @Test
    void refusesSpecsThatSelectNothingOrEverything() {
        assertThatThrownBy(() -> InferencePoolSpec.from(pool(Map.of("targetPorts", List.of(Map.of("number", 1))))))
                .hasMessageContaining("spec.selector.matchLabels is empty");
        assertThatThrownBy(() -> InferencePoolSpec.from(pool(Map.of("selector",
                Map.of("matchLabels", Map.of("a", "b")), "targetPorts", List.of()))))
                .hasMessageContaining("spec.targetPorts must list 1 to 8 ports, got 0");
        assertThatThrownBy(() -> InferencePoolSpec.from(pool(Map.of("selector",
                Map.of("matchLabels", Map.of("a", "b")), "targetPorts", List.of(Map.of("name", "http"))))))
                .hasMessageContaining("without a port number");
    }

    private static GenericKubernetesResource pool(Map<String, Object> spec) {
        return new GenericKubernetesResourceBuilder().withApiVersion("inference.networking.k8s.io/v1")
                .withKind("InferencePool").withNewMetadata().withName("p").withNamespace("ns").endMetadata()
                .withAdditionalProperties(Map.of("spec", spec)).build();
    }

    private static Pod deleting(Pod pod) {
        pod.getMetadata().setDeletionTimestamp("2026-12-01T00:00:00Z");
        return pod;
    }

    private static Pod failed(Pod pod) {
        pod.getStatus().setPhase("Failed");
        return pod;
    }
}
