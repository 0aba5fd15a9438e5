package dev.jetway.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin port: loopback unless bound elsewhere on purpose, and then only with the admin token. */
class AdminPortTest {

    private static final String TOKEN = "admin-token-0123456789abcdef";

    @TempDir
    Path dir;

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

    private static int status(GatewayHarness gw, String host, String path, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://" + host + ":" + gw.server.adminPort() + path))
                .timeout(Duration.ofSeconds(5));
        if (token != null) {
            r.header("authorization", "Bearer " + token);
        }
        return gw.http.send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void theAdminPortBindsLoopbackWhateverTheApiPortBinds() throws Exception {
        InetAddress outside = nonLoopbackAddress();
        Assumptions.assumeTrue(outside != null, "needs a non-loopback interface");
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                     .replace("host: 127.0.0.1", "host: 0.0.0.0"))) {
            assertThat(status(gw, "127.0.0.1", "/metrics", null)).isEqualTo(200);
            assertThatThrownBy(() -> status(gw, outside.getHostAddress(), "/metrics", null))
                    .isInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void beyondLoopbackTheAdminPortNeedsATokenAndRefusesEveryCallerWithoutIt() throws Exception {
        InetAddress outside = nonLoopbackAddress();
        Assumptions.assumeTrue(outside != null, "needs a non-loopback interface");
        Files.writeString(dir.resolve("admin-token"), TOKEN + "\n");
        String yaml = GatewayHarness.yaml("random", "", List.of("127.0.0.1:1"))
                .replace("host: 127.0.0.1", "host: 127.0.0.1, adminHost: 0.0.0.0");
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "jetway.yaml"))
                .hasMessageContaining("server.adminHost 0.0.0.0 is reachable beyond this machine: set "
                        + "security.adminToken");
        try (GatewayHarness gw = GatewayHarness.start(yaml + "security: {adminToken: {file: \""
                + dir.resolve("admin-token") + "\"}}\n")) {
            String host = outside.getHostAddress();
            for (String path : List.of("/metrics", "/ready", "/health")) {
                assertThat(status(gw, host, path, null)).as(path).isEqualTo(401);
                assertThat(status(gw, "127.0.0.1", path, null)).as(path).isEqualTo(401);
                assertThat(status(gw, host, path, "not-" + TOKEN)).as(path).isEqualTo(401);
            }
            assertThat(status(gw, host, "/metrics", TOKEN)).isEqualTo(200);
            HttpResponse<String> digest = gw.http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":"
                    + gw.server.adminPort() + "/jetway/peers/digest"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3})).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(digest.statusCode()).isEqualTo(401);
            assertThat(digest.body()).startsWith("{\"error\":{\"message\":\"the admin port needs the admin token");
        }
    }

    @Test
    void peersSendTheAdminTokenWithTheirDigests() throws Exception {
        Files.writeString(dir.resolve("admin-token"), TOKEN);
        try (FakeModelServer backend = new FakeModelServer("a")) {
            String base = GatewayHarness.yaml("jetway-approximate", "", List.of(backend.address()))
                    + "security: {adminToken: {file: \"" + dir.resolve("admin-token") + "\"}}\n";
            try (GatewayHarness a = GatewayHarness.start(base); GatewayHarness b = GatewayHarness.start(base)) {
                String peers = "peers: {addresses: [\"127.0.0.1:%d\"], interval: 50ms, timeout: 1s}\n";
                a.server.reload(ConfigLoader.parse(base + peers.formatted(b.server.adminPort()), "test"));
                b.server.reload(ConfigLoader.parse(base + peers.formatted(a.server.adminPort()), "test"));
                await().atMost(Duration.ofSeconds(10)).until(() -> a.http.send(HttpRequest.newBuilder(
                        a.adminUri("/metrics")).header("authorization", "Bearer " + TOKEN).build(),
                        HttpResponse.BodyHandlers.ofString()).body().contains("jetway_peers_live{name=\"p\"} 1.0"));
            }
        }
    }
}
