package dev.jetway.gateway.extproc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.security.ApiKeys;
import io.envoyproxy.envoy.service.ext_proc.v3.ImmediateResponse;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may use {@code jetway epp}: its admin port ({@code /metrics}, {@code /ready}, peers' digests) is guarded as the
 * gateway's ({@code server.adminHost}, {@code security.adminToken}) while gRPC health stays open to probes, and
 * {@code security.apiKeys} holds for the requests Envoy brings, answered with the OpenAI error as a local reply.
 */
class EndpointPickerAccessTest {

    private static final String TOKEN = "epp-admin-token-0123456789abcdef";

    @TempDir
    Path dir;

    private String tokenFile() throws Exception {
        Path f = dir.resolve("admin-token");
        Files.writeString(f, TOKEN + "\n");
        return "security: {adminToken: {file: \"" + f + "\"}}\n";
    }

    private static HttpResponse<String> admin(String host, int port, String path, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                .timeout(Duration.ofSeconds(5));
        if (token != null) {
            r.header("authorization", "Bearer " + token);
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static ServingStatus health(int port, String service) throws InterruptedException {
        ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            return HealthGrpc.newBlockingStub(c).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
        } finally {
            c.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
        }
    }

    private static InetAddress nonLoopbackAddress() throws Exception {
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nif.isUp() && !nif.isLoopback()) {
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        return a;
                    }
                }
            }
        }
        return null;
    }

    @Test
    void withAnAdminTokenEveryAdminCallerNeedsItWhileGrpcHealthStaysOpen() throws Exception {
        try (PickerHarness h = PickerHarness.start(PickerHarness.queuePicker(1), tokenFile(), 0).awaitReady()) {
            int port = h.picker.adminPort();
            for (String path : List.of("/metrics", "/ready", "/health")) {
                assertThat(admin("127.0.0.1", port, path, null).statusCode()).as(path).isEqualTo(401);
                assertThat(admin("127.0.0.1", port, path, "not-" + TOKEN).statusCode()).as(path).isEqualTo(401);
            }
            HttpResponse<String> refused = admin("127.0.0.1", port, "/metrics", null);
            assertThat(refused.body()).startsWith("{\"error\":{\"message\":\"the admin port needs the admin token")
                    .contains("\"code\":\"invalid_admin_token\"");
            HttpResponse<String> metrics = admin("127.0.0.1", port, "/metrics", TOKEN);
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("jetway_epp_decision_duration_seconds");
            assertThat(admin("127.0.0.1", port, "/ready", TOKEN).statusCode()).isEqualTo(200);

            // the kubelet's probes carry no token
            assertThat(health(h.picker.port(), EndpointPickerServer.READINESS)).isEqualTo(ServingStatus.SERVING);
            assertThat(health(h.picker.port(), EndpointPickerServer.LIVENESS)).isEqualTo(ServingStatus.SERVING);
        }
    }

    @Test
    void beyondLoopbackTheAdminPortNeedsTheToken() throws Exception {
        String open = "server: {host: 127.0.0.1, port: 0, adminPort: 0, adminHost: 0.0.0.0}\n";
        assertThatThrownBy(() -> PickerHarness.start(PickerHarness.queuePicker(1), open, 0))
                .hasMessageContaining("server.adminHost 0.0.0.0 is reachable beyond this machine: set "
                        + "security.adminToken");
        InetAddress outside = nonLoopbackAddress();
        Assumptions.assumeTrue(outside != null, "needs a non-loopback interface");
        try (PickerHarness h = PickerHarness.start(PickerHarness.queuePicker(1), open + tokenFile(), 0)
                .awaitReady()) {
            String host = outside.getHostAddress();
            assertThat(admin(host, h.picker.adminPort(), "/metrics", null).statusCode()).isEqualTo(401);
            assertThat(admin(host, h.picker.adminPort(), "/metrics", TOKEN).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withoutATokenTheAdminPortAnswersThisMachineOnly() throws Exception {
        InetAddress outside = nonLoopbackAddress();
        Assumptions.assumeTrue(outside != null, "needs a non-loopback interface");
        // the ext_proc port on every interface does not take the admin port along
        try (PickerHarness h = PickerHarness.start(PickerHarness.queuePicker(1),
                "server: {host: 0.0.0.0, port: 0, adminPort: 0}\n", 0).awaitReady()) {
            assertThat(admin("127.0.0.1", h.picker.adminPort(), "/metrics", null).statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> admin(outside.getHostAddress(), h.picker.adminPort(), "/metrics", null))
                    .isInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void apiKeysHoldForTheRequestsEnvoyBrings() throws Exception {
        String key = ApiKeys.generate();
        Path keys = dir.resolve("keys.yaml");
        Files.writeString(keys, "- {hash: \"" + ApiKeys.hash(key) + "\", tenant: team-a}\n");
        try (PickerHarness h = PickerHarness.start(PickerHarness.queuePicker(1),
                "security: {apiKeys: {file: \"" + keys + "\"}}\n", 0).awaitReady()) {
            try (EnvoyStream envoy = h.fullDuplex()) {
                envoy.requestHeaders(EnvoyStream.post("/v1/completions"), false, null);
                envoy.requestBody("{\"model\":\"m\",\"prompt\":\"hi\"}", true);
                ImmediateResponse immediate = envoy.next().getImmediateResponse();
                assertThat(immediate.getStatus().getCodeValue()).isEqualTo(401);
                assertThat(immediate.getBody().toStringUtf8()).contains("\"code\":\"missing_api_key\"");
            }
            try (EnvoyStream envoy = h.fullDuplex()) {
                Map<String, String> headers = EnvoyStream.post("/v1/completions");
                headers.put("authorization", "Bearer " + key);
                envoy.requestHeaders(headers, false, null);
                envoy.requestBody("{\"model\":\"m\",\"prompt\":\"hi\"}", true);
                assertThat(EnvoyStream.metadataDestination(envoy.next())).isEqualTo(h.address(0));
            }
        }
    }
}
