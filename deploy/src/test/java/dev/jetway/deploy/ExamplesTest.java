package dev.jetway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** deploy/examples: the manifests fit together, and with what the chart renders for the command they name. */
class ExamplesTest {

    private final List<JsonNode> pool = Rendered.parseFile(Rendered.examples().resolve("vllm-pool.yaml"));
    private final List<JsonNode> objectives = Rendered.parseFile(Rendered.examples().resolve("inferenceobjective.yaml"));
    private final List<JsonNode> route = Rendered.parseFile(Rendered.examples().resolve("httproute.yaml"));

    @Test
    void theInferencePoolSelectsTheDecodeAndPrefillPodsOnTheirPort() {
        JsonNode inferencePool = only(pool, "InferencePool");
        JsonNode selector = inferencePool.at("/spec/selector/matchLabels");
        List<JsonNode> deployments = of(pool, "Deployment");
        assertThat(deployments).extracting(d -> d.at("/spec/template/metadata/labels/llm-d.ai~1role").asText())
                .containsExactlyInAnyOrder("decode", "prefill");
        int port = inferencePool.at("/spec/targetPorts/0/number").asInt();
        for (JsonNode d : deployments) {
            JsonNode labels = d.at("/spec/template/metadata/labels");
            selector.properties().forEach(e -> assertThat(labels.path(e.getKey())).isEqualTo(e.getValue()));
            assertThat(d.at("/spec/template/spec/containers/0/ports").findValuesAsText("containerPort"))
                    .contains(String.valueOf(port));
        }
    }

    @Test
    void theEndpointPickerRefIsTheServiceTheChartCreatesForTheCommandInTheComment() {
        // helm install jetway deploy/helm/jetway --set mode=epp --set inferencePool.create=false --set inferencePool.name=qwen
        Rendered chart = Rendered.template("jetway", List.of(), Map.of("mode", "epp", "inferencePool.create", "false",
                "inferencePool.name", "qwen"));
        JsonNode service = chart.service();
        JsonNode ref = only(pool, "InferencePool").at("/spec/endpointPickerRef");

        assertThat(ref.path("kind").asText()).isEqualTo("Service");
        assertThat(ref.path("name").asText()).isEqualTo(service.at("/metadata/name").asText()).isEqualTo("jetway-epp");
        assertThat(ref.at("/port/number").asInt()).isEqualTo(service.at("/spec/ports/0/port").asInt());
        assertThat(chart.jetwayYaml().at("/pools/0/inferencePool/name").asText())
                .isEqualTo(only(pool, "InferencePool").at("/metadata/name").asText());
    }

    @Test
    void theObjectivesAndTheRouteNameThePool() {
        String poolName = only(pool, "InferencePool").at("/metadata/name").asText();
        assertThat(objectives).hasSize(2).allSatisfy(o -> {
            assertThat(o.path("apiVersion").asText()).isEqualTo("llm-d.ai/v1alpha2");
            assertThat(o.at("/spec/poolRef/name").asText()).isEqualTo(poolName);
        });
        assertThat(objectives).extracting(o -> o.at("/spec/priority").asInt()).containsExactly(10, -1);

        JsonNode backend = only(route, "HTTPRoute").at("/spec/rules/0/backendRefs/0");
        assertThat(backend.path("group").asText()).isEqualTo("inference.networking.k8s.io");
        assertThat(backend.path("kind").asText()).isEqualTo("InferencePool");
        assertThat(backend.path("name").asText()).isEqualTo(poolName);
        assertThat(only(route, "HTTPRoute").at("/spec/parentRefs/0/name").asText())
                .isEqualTo(only(route, "Gateway").at("/metadata/name").asText());
    }

    private static List<JsonNode> of(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    private static JsonNode only(List<JsonNode> docs, String kind) {
        List<JsonNode> found = of(docs, kind);
        assertThat(found).as(kind).hasSize(1);
        return found.getFirst();
    }
}
