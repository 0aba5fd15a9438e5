package dev.jetway.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.http.GatewayServer;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** API keys and the admin token from Kubernetes Secrets (fabric8's mock API server): loaded, rotated, gated. */
@EnableKubernetesMockClient(crud = true)
class ApiKeysSecretTest {

    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    KubernetesMockServer server;
    KubernetesClient client;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private void secret(String name, Map<String, String> data) {
        Map<String, String> encoded = new java.util.HashMap<>();
        data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        client.secrets().inNamespace("ns").resource(new SecretBuilder().withNewMetadata().withName(name)
                .withNamespace("ns").endMetadata().withData(encoded).build()).createOr(NonDeletingOperation::update);
    }

    private int complete(GatewayServer gw, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + "/v1/completions"))
                .header("content-type", "application/json").header("authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"hi\"}")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private int metrics(GatewayServer gw, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.adminPort() + "/metrics"))
                .header("authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void keysAndTokenFromSecretsLoadAndRotateLive() throws Exception {
        String first = ApiKeys.generate();
        String token = "admin-" + ApiKeys.generate();
        secret("jetway-api-keys", Map.of("keys.yaml", "- {hash: \"" + ApiKeys.hash(first) + "\", tenant: a}\n"));
        secret("jetway-admin", Map.of("token", token + "\n"));
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayServer gw = GatewayServer.start(ConfigLoader.parse(GatewayHarness.yaml("random", "",
                     List.of(backend.address())) + "kubernetes: {namespace: ns}\n"
                     + "security: {apiKeys: {secret: {name: jetway-api-keys}},"
                     + " adminToken: {secret: {name: jetway-admin}}}\n", "test"), 2, c -> client)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> gw.access().waitingFor() == null);
            assertThat(complete(gw, first)).isEqualTo(200);
            assertThat(metrics(gw, token)).isEqualTo(200);
            assertThat(metrics(gw, "admin-" + ApiKeys.generate())).isEqualTo(401);

            String second = ApiKeys.generate();
            secret("jetway-api-keys", Map.of("keys.yaml", "- {hash: \"" + ApiKeys.hash(second) + "\", tenant: a}\n"));
            await().atMost(Duration.ofSeconds(10)).until(() -> complete(gw, second) == 200);
            assertThat(complete(gw, first)).isEqualTo(401);

            // a broken edit of the Secret keeps the keys that loaded
            secret("jetway-api-keys", Map.of("keys.yaml", "{not: a list}"));
            Thread.sleep(500);
            assertThat(complete(gw, second)).isEqualTo(200);
        }
    }

    @Test
    void untilTheSecretExistsEveryRequestIsRefusedAndTheGatewayIsNotReady() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayServer gw = GatewayServer.start(ConfigLoader.parse(GatewayHarness.yaml("random", "",
                     List.of(backend.address())) + "kubernetes: {namespace: ns}\n"
                     + "security: {apiKeys: {secret: {name: later, key: k}}}\n", "test"), 2, c -> client)) {
            assertThat(complete(gw, ApiKeys.generate())).isEqualTo(503);
            assertThat(gw.routing().readiness().notReadyReason()).contains("security.apiKeys");
            String key = ApiKeys.generate();
            secret("later", Map.of("k", "- {hash: \"" + ApiKeys.hash(key) + "\", tenant: a}\n"));
            await().atMost(Duration.ofSeconds(10)).until(() -> complete(gw, key) == 200);
        }
    }
}
