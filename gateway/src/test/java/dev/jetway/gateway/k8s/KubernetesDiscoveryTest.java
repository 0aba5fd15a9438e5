package dev.jetway.gateway.k8s;

import static dev.jetway.gateway.k8s.FollowTimer.follow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jetway.gateway.LiveGateway;
import dev.jetway.gateway.LiveServing;
import dev.jetway.gateway.http.GatewayServer;
import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.datalayer.GatewayEndpoint;
import dev.jetway.gateway.routing.GatewayPool;
import dev.jetway.gateway.testing.FakeModelServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The routing table follows the cluster: an InferencePool created, its pods coming, going and turning unready, its
 * selector changing, an InferenceObjective's priority, a ConfigMap's EndpointPickerConfig. Against fabric8's mock API
 * server in CRUD mode. Pods without traffic get loopback addresses on a port nothing listens on.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesDiscoveryTest {

    KubernetesMockServer server;
    KubernetesClient client;

    private MockCluster cluster;
    private LiveServing<GatewayServer> gw;
    private final HttpClient http = HttpClient.newHttpClient();

    private static String yaml(String poolExtra) {
        return """
                server: {port: 0, adminPort: 0, host: 127.0.0.1}
                upstream: {connectTimeout: 500ms, retryBackoff: 1ms}
                dataLayer: {scrapeInterval: 20ms}
                kubernetes: {namespace: ns, debounce: 100ms}
                admission: {objectives: {batch: -5, chat: 3}}
                pools:
                  - name: p
                    models: [m]
                    inferencePool: {name: qwen}
                """ + poolExtra;
    }

    @BeforeEach
    void cluster() {
        cluster = new MockCluster(server, client);
    }

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    private void start(String poolExtra) throws Exception {
        gw = LiveGateway.start(ConfigLoader.parse(yaml(poolExtra), "jetway.yaml"), 2,
                c -> new KubernetesDiscovery(client, false));
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.server().routing().readiness().notReadyReason()
                == null || !gw.server().routing().readiness().notReadyReason().contains("kubernetes"));
    }

    private GatewayPool pool() {
        return gw.server().routing().table().pools().getFirst();
    }

    private Set<String> routed() {
        return pool().endpoints().stream().map(GatewayEndpoint::toString).collect(Collectors.toSet());
    }

    private static Set<String> addresses(int port, int... hosts) {
        return java.util.Arrays.stream(hosts).mapToObj(h -> "127.0.0." + h + ":" + port).collect(Collectors.toSet());
    }

    @Test
    void thePoolsPodsComeGoAndTurnUnready() throws Exception {
        for (int i = 11; i <= 12; i++) {
            cluster.pod("vllm-" + i, "127.0.0." + i, Map.of("app", "vllm", "tier", i % 2 == 0 ? "even" : "odd"));
        }
        start("");
        assertThat(routed()).isEmpty(); // no InferencePool yet

        follow("InferencePool created (2 pods)", () -> cluster.inferencePool("qwen", Map.of("app", "vllm"), 1),
                () -> routed().equals(addresses(1, 11, 12)));
        follow("3 pods added (2 -> 5)", () -> {
            for (int i = 13; i <= 15; i++) {
                cluster.pod("vllm-" + i, "127.0.0." + i, Map.of("app", "vllm", "tier", i % 2 == 0 ? "even" : "odd"));
            }
        }, () -> routed().equals(addresses(1, 11, 12, 13, 14, 15)));
        follow("a pod turns unready", () -> cluster.ready("vllm-13", false),
                () -> routed().equals(addresses(1, 11, 12, 14, 15)));
        follow("it is ready again", () -> cluster.ready("vllm-13", true),
                () -> routed().equals(addresses(1, 11, 12, 13, 14, 15)));
        follow("selector narrowed to tier=even", () -> cluster.inferencePool("qwen",
                Map.of("app", "vllm", "tier", "even"), 1), () -> routed().equals(addresses(1, 12, 14)));
        follow("targetPorts 1 -> 1,2 (two ranks per pod)", () -> cluster.inferencePool("qwen",
                Map.of("app", "vllm", "tier", "even"), 1, 2), () -> routed().equals(
                        java.util.stream.Stream.of(addresses(1, 12, 14), addresses(2, 12, 14))
                                .flatMap(Set::stream).collect(Collectors.toSet())));
        follow("4 pods deleted (5 -> 1)", () -> {
            for (int i = 12; i <= 15; i++) {
                cluster.deletePod("vllm-" + i);
            }
        }, () -> routed().isEmpty());
        follow("selector widened again", () -> cluster.inferencePool("qwen", Map.of("app", "vllm"), 1),
                () -> routed().equals(addresses(1, 11)));
        assertThat(pool().endpoints().getFirst().config().effectiveLabels()).containsEntry("tier", "odd");
    }

    @Test
    void objectivesSetPrioritiesOverJetwayYaml() throws Exception {
        cluster.inferencePool("qwen", Map.of("app", "vllm"), 1);
        start("");
        var admission = (java.util.function.Supplier<dev.jetway.gateway.config.AdmissionSettings>)
                () -> gw.server().routing().config().admission();
        assertThat(admission.get().priorityOf("batch")).isEqualTo(-5);
        // another pool's objective does not apply here (and warms the informer's first event, a one-time cost)
        cluster.objective("other", 9, "llama");
        Thread.sleep(300);

        follow("InferenceObjective batch created (priority 7)", () -> cluster.objective("batch", 7, "qwen"),
                () -> admission.get().priorityOf("batch") == 7);
        follow("InferenceObjective batch priority 7 -> -1", () -> cluster.objective("batch", -1, "qwen"),
                () -> admission.get().priorityOf("batch") == -1);
        // jetway.yaml's objectives stay
        follow("InferenceObjective interactive created", () -> cluster.objective("interactive", 4, "qwen"),
                () -> admission.get().priorityOf("interactive") == 4);
        assertThat(admission.get().priorityOf("other")).isZero();
        assertThat(admission.get().priorityOf("chat")).isEqualTo(3);
    }

    @Test
    void theEndpointPickerConfigComesFromAConfigMap() throws Exception {
        start("    endpointPickerConfigMap: {name: epp}\n");
        assertThat(gw.server().routing().readiness().notReadyReason())
                .contains("EndpointPickerConfig that loads from ConfigMap ns/epp key default-plugins.yaml");

        String queue = """
                apiVersion: llm-d.ai/v1alpha1
                kind: EndpointPickerConfig
                plugins:
                - type: queue-scorer
                schedulingProfiles:
                - name: default
                  plugins:
                  - pluginRef: queue-scorer
                """;
        follow("ConfigMap created", () -> cluster.configMap("epp", Map.of("default-plugins.yaml", queue)),
                () -> plugins().equals(List.of("queue-scorer")));
        assertThat(gw.server().routing().readiness().notReadyReason()).isEqualTo("no ready endpoint");

        // an edit that does not load is refused: the pool keeps the config that did
        cluster.configMap("epp", Map.of("default-plugins.yaml", queue.replace("queue-scorer", "no-such-scorer")));
        Thread.sleep(400);
        assertThat(plugins()).containsExactly("queue-scorer");

        follow("ConfigMap edited", () -> cluster.configMap("epp", Map.of("default-plugins.yaml",
                queue.replace("queue-scorer", "kv-cache-utilization-scorer"))),
                () -> plugins().equals(List.of("kv-cache-utilization-scorer")));
    }

    private List<String> plugins() {
        JsonNode picker = pool().pickerConfig();
        if (picker == null) {
            return List.of();
        }
        return java.util.stream.StreamSupport.stream(picker.path("plugins").spliterator(), false)
                .map(p -> p.path("type").asText()).toList();
    }

    @Test
    void readyOnceThePodsFirstScrapeSucceeded() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a")) {
            cluster.inferencePool("qwen", Map.of("app", "vllm"), backend.port());
            start("    endpointPicker: random\n");
            assertThat(ready().statusCode()).isEqualTo(503);
            assertThat(ready().body()).contains("no ready endpoint");
            follow("pod added", () -> cluster.pod("vllm-0", "127.0.0.1", Map.of("app", "vllm")),
                    () -> ready().statusCode() == 200);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + gw.server().port() + "/v1/completions")).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"x\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-jetway-endpoint")).hasValue(backend.address());
        }
    }

    @Test
    void withoutTheInferenceObjectiveCrdPrioritiesComeFromJetwayYaml() throws Exception {
        // a cluster with GIE's CRDs but not llm-d's: listing InferenceObjectives is a 404
        server.expect().get().withPath("/apis/llm-d.ai/v1alpha2/namespaces/ns/inferenceobjectives?resourceVersion=0")
                .andReturn(404, new io.fabric8.kubernetes.api.model.StatusBuilder().withCode(404)
                        .withReason("NotFound").withMessage("the server could not find the requested resource").build())
                .always();
        cluster.inferencePool("qwen", Map.of("app", "vllm"), 1);
        cluster.pod("vllm-11", "127.0.0.11", Map.of("app", "vllm"));
        start("");
        await().atMost(Duration.ofSeconds(5)).until(() -> routed().equals(addresses(1, 11)));
        assertThat(gw.server().routing().readiness().notReadyReason()).isEqualTo("no ready endpoint");
        assertThat(gw.server().routing().config().admission().priorityOf("batch")).isEqualTo(-5);
    }

    @Test
    void notReadyWhileTheApiServerCannotBeReached() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        try (KubernetesClient unreachable = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder().withMasterUrl("http://127.0.0.1:" + closed)
                        .withRequestRetryBackoffLimit(0).build()).build()) {
            gw = LiveGateway.start(ConfigLoader.parse(yaml(""), "jetway.yaml"), 2,
                    c -> new KubernetesDiscovery(unreachable, false));
            Thread.sleep(300);
            assertThat(ready().statusCode()).isEqualTo(503);
            assertThat(ready().body()).contains("waiting for kubernetes: pods, InferencePools, InferenceObjectives "
                    + "in namespace ns");
            gw.close();
            gw = null;
        }
    }

    private HttpResponse<String> ready() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.server().adminPort() + "/ready"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
