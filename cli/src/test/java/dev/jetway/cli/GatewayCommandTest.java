package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.k8s.InferenceApi;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jetway gateway} with discovery flags: from a watched file, from a Kubernetes InferencePool. */
@EnableKubernetesMockClient(crud = true)
class GatewayCommandTest {

    /** The mock server logs every request through java.util.logging; held so that the level sticks. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    KubernetesMockServer server;
    KubernetesClient client;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void refusesFlagsThatDoNotFit(@TempDir Path dir) throws Exception {
        assertThat(CliRun.of("gateway").err()).contains("needs --config FILE, or --inference-pool NAME");
        assertThat(CliRun.of("gateway", "--inference-pool", "a", "--endpoints-file", "b").err())
                .contains("--inference-pool and --endpoints-file both say where the endpoints come from");
        Path two = dir.resolve("two.yaml");
        Files.writeString(two, "pools: [{name: a, models: [x]}, {name: b, models: [y]}]\n");
        CliRun r = CliRun.of("gateway", "--config", two.toString(), "--inference-pool", "qwen");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("apply to a configuration with one pool; 2 pools need pools[].inferencePool");
        Path listed = dir.resolve("listed.yaml");
        Files.writeString(listed, "pools: [{name: a, endpoints: [{address: 127.0.0.1:1}]}]\n");
        assertThat(CliRun.of("gateway", "--config", listed.toString(), "--inference-pool", "qwen").err())
                .contains("pool a: endpoints and inferencePool both say where the endpoints come from");
        r = CliRun.of("gateway", "--endpoints-file", dir.resolve("missing.yaml").toString(), "--port", "0",
                "--admin-port", "0");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("cannot start: pool default: ").contains("missing.yaml: endpoints file not found");
    }

    @Test
    void servesTheEndpointsOfAFile(@TempDir Path dir) throws Exception {
        try (SimCluster sim = SimCluster.start(SimOptions.defaults("m").withBindHost("127.0.0.1").withPort(0), 1)) {
            Path eps = dir.resolve("endpoints.yaml");
            Files.writeString(eps, "endpoints:\n  - {address: \"127.0.0.1:" + sim.replicas().getFirst().httpPort()
                    + "\"}\n");
            try (Running gw = Running.start("gateway", "--endpoints-file", eps.toString(), "--host", "127.0.0.1", "--port", "0",
                    "--admin-port", "0", "-q")) {
                assertThat(gw.banner).contains("endpoints from " + eps.toAbsolutePath());
                servesThrough(gw, sim);
            }
        }
    }

    @Test
    void servesAnInferencePoolReachedThroughAKubeconfig(@TempDir Path dir) throws Exception {
        server.expectCustomResource(InferenceApi.INFERENCE_POOL);
        server.expectCustomResource(InferenceApi.INFERENCE_OBJECTIVE);
        try (SimCluster sim = SimCluster.start(SimOptions.defaults("m").withBindHost("127.0.0.1").withPort(0), 1)) {
            int port = sim.replicas().getFirst().httpPort();
            client.genericKubernetesResources(InferenceApi.INFERENCE_POOL).inNamespace("llm").resource(
                    new GenericKubernetesResourceBuilder().withApiVersion("inference.networking.k8s.io/v1")
                            .withKind("InferencePool").withNewMetadata().withName("qwen").withNamespace("llm")
                            .endMetadata().withAdditionalProperties(Map.of("spec", Map.of(
                                    "selector", Map.of("matchLabels", Map.of("app", "vllm")),
                                    "targetPorts", List.of(Map.of("number", port))))).build()).create();
            client.pods().inNamespace("llm").resource(new PodBuilder().withNewMetadata().withName("vllm-0")
                    .withNamespace("llm").withLabels(Map.of("app", "vllm")).endMetadata().withNewStatus()
                    .withPhase("Running").withPodIP("127.0.0.1").addNewCondition().withType("Ready")
                    .withStatus("True").endCondition().endStatus().build()).create();
            Path kubeconfig = dir.resolve("kubeconfig");
            Files.writeString(kubeconfig, """
                    apiVersion: v1
                    kind: Config
                    clusters: [{name: mock, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
                    users: [{name: test, user: {token: secret}}]
                    contexts: [{name: mock, context: {cluster: mock, user: test, namespace: default}}]
                    current-context: mock
                    """.formatted(client.getMasterUrl()));
            try (Running gw = Running.start("gateway", "--inference-pool", "qwen", "--namespace", "llm",
                    "--kubeconfig", kubeconfig.toString(), "--port", "0", "--admin-port", "0", "-q")) {
                assertThat(gw.banner).contains("endpoints from InferencePool qwen");
                servesThrough(gw, sim);
            }
        }
    }

    @Test
    void apiKeysFromTheCommandLineGuardTheApiAndARotatedFileTakesEffectLive(@TempDir Path dir) throws Exception {
        CliRun made = CliRun.of("keys", "generate", "--tenant", "team-a", "--models", "m", "--name", "ci");
        assertThat(made.exitCode()).isZero();
        String key = made.out().lines().toList().get(0);
        Path keys = dir.resolve("keys.yaml");
        Files.writeString(keys, made.out().lines().toList().get(1) + "\n");
        try (SimCluster sim = SimCluster.start(SimOptions.defaults("m").withBindHost("127.0.0.1").withPort(0), 1)) {
            Path eps = dir.resolve("endpoints.yaml");
            Files.writeString(eps, "endpoints:\n  - {address: \"127.0.0.1:" + sim.replicas().getFirst().httpPort()
                    + "\"}\n");
            try (Running gw = Running.start("gateway", "--endpoints-file", eps.toString(), "--api-keys",
                    keys.toString(), "--port", "0", "--admin-port", "0", "-q")) {
                waitFor(() -> get(gw.adminUri("/ready")) == 200);
                assertThat(complete(gw, null)).isEqualTo(401);
                assertThat(complete(gw, key)).isEqualTo(200);
                String next = CliRun.of("keys", "generate", "--tenant", "team-a").out().lines().toList().get(0);
                Files.writeString(keys, CliRun.of("keys", "hash", next, "--tenant", "team-a").out());
                waitFor(() -> complete(gw, next) == 200);
                assertThat(complete(gw, key)).isEqualTo(401);
            }
        }
    }

    private int complete(Running gw, String key) {
        HttpRequest.Builder r = HttpRequest.newBuilder(gw.uri("/v1/completions")).header("content-type",
                "application/json");
        if (key != null) {
            r.header("authorization", "Bearer " + key);
        }
        try {
            return http.send(r.POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"hi\","
                    + "\"max_tokens\":2}")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void securityFlagsThatDoNotFitAreRefused(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("jetway.yaml");
        Files.writeString(cfg, "pools: [{name: a, endpoints: [{address: 127.0.0.1:1}]}]\n");
        assertThat(CliRun.of("gateway", "--config", cfg.toString(), "--admin-host", "0.0.0.0").err())
                .contains("server.adminHost 0.0.0.0 is reachable beyond this machine: set security.adminToken");
        assertThat(CliRun.of("gateway", "--config", cfg.toString(), "--tls-cert", "c.pem").err())
                .contains("--tls-cert and --tls-key go together");
        assertThat(CliRun.of("gateway", "--config", cfg.toString(), "--api-keys", dir.resolve("none.yaml").toString(),
                "--port", "0", "--admin-port", "0").err()).contains("security.apiKeys").contains("file not found");
    }

    private void servesThrough(Running gw, SimCluster sim) throws Exception {
        waitFor(() -> get(gw.adminUri("/ready")) == 200);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(gw.uri("/v1/completions"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":4}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-jetway-endpoint"))
                .hasValue("127.0.0.1:" + sim.replicas().getFirst().httpPort());
    }

    private int get(URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out");
            }
            Thread.sleep(20);
        }
    }

    /** {@code jetway gateway ...} running on a thread of its own until closed (the command's interrupt path). */
    private static final class Running implements AutoCloseable {

        private static final Pattern BANNER = Pattern.compile("jetway gateway on https?://[^:]+:(\\d+)/v1 "
                + "\\(metrics on port (\\d+)\\)(.*)");

        final CliRun.InBackground run;
        final String banner;
        final int port;
        final int adminPort;

        private Running(CliRun.InBackground run, String banner, int port, int adminPort) {
            this.run = run;
            this.banner = banner;
            this.port = port;
            this.adminPort = adminPort;
        }

        static Running start(String... args) throws InterruptedException {
            CliRun.InBackground run = CliRun.InBackground.start("jetway gateway", BANNER, args);
            Matcher m = run.banner();
            return new Running(run, m.group(0), Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        URI adminUri(String path) {
            return URI.create("http://127.0.0.1:" + adminPort + path);
        }

        @Override
        public void close() {
            run.close();
        }
    }
}
