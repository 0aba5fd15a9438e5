package dev.jetway.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.gateway.testing.RawClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client's headers can do, against real sockets: headers that steer routing or claim an identity neither steer
 * nor reach the model server (asserted on what it received), unless the pool trusts its clients; the decision record
 * needs configuration or the admin token; the endpoint header can be turned off; the model server sees the pool's key.
 */
class HeaderHygieneTest {

    private static final String ADMIN_TOKEN = "admin-token-0123456789abcdef";

    @TempDir
    Path dir;
    private FakeModelServer a;
    private FakeModelServer b;
    private GatewayHarness gw;

    private void start(String poolExtra, String security) throws Exception {
        a = new FakeModelServer("a");
        b = new FakeModelServer("b");
        Files.writeString(dir.resolve("admin-token"), ADMIN_TOKEN + "\n");
        Files.writeString(dir.resolve("pool-key"), "pool-secret-key\n");
        String yaml = GatewayHarness.yaml("random", "", List.of(a.address(), b.address()))
                .replace("    models: [m]\n", "    models: [m]\n" + poolExtra)
                + "security: {adminToken: {file: \"" + dir.resolve("admin-token") + "\"}" + security + "}\n";
        gw = GatewayHarness.start(yaml);
    }

    @AfterEach
    void stop() throws Exception {
        gw.close();
        a.close();
        b.close();
    }

    /** Sends one request; {@link #lastReceived} is then what a model server got for it. */
    private HttpResponse<String> send(String... headers) throws Exception {
        a.headers.clear();
        b.headers.clear();
        HttpRequest.Builder r = HttpRequest.newBuilder(gw.uri("/v1/completions")).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return gw.http.send(r.POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"hi\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static final String[] SPOOFED = {
            "x-gateway-destination-endpoint", "B",
            "x-gateway-destination-endpoint-subset", "B",
            "x-prefiller-host-port", "10.6.6.6:8000",
            "x-jetway-anything", "1",
            "x-forwarded-for", "6.6.6.6",
            "forwarded", "for=6.6.6.6",
            "x-real-ip", "6.6.6.6",
            "authorization", "Bearer client-key",
            "x-request-id", "bad id with spaces\u00e9",
            "x-custom", "kept"};

    private String[] spoofed() {
        String[] h = SPOOFED.clone();
        h[1] = b.address();
        h[3] = b.address();
        return h;
    }

    private Map<String, String> lastReceived() {
        List<Map<String, String>> all = new java.util.ArrayList<>(a.headers);
        all.addAll(b.headers);
        assertThat(all).hasSize(1);
        return all.getFirst();
    }

    @Test
    void routingAndIdentityHeadersNeitherSteerNorReachTheModelServer() throws Exception {
        start("", "");
        for (int i = 0; i < 20; i++) {
            assertThat(send(spoofed()).statusCode()).isEqualTo(200);
        }
        // 20 requests all naming b: a still got its share (random over two: all 20 on b is a one-in-a-million)
        assertThat(a.completionRequests.get()).isPositive();
        Map<String, String> got = lastReceived();
        assertThat(got).doesNotContainKeys("x-gateway-destination-endpoint", "x-gateway-destination-endpoint-subset",
                "x-prefiller-host-port", "x-jetway-anything", "forwarded", "x-real-ip", "authorization");
        assertThat(got).containsEntry("x-forwarded-for", "127.0.0.1").containsEntry("x-custom", "kept");
        assertThat(got.get("x-request-id")).startsWith("jw-");

        send("x-custom", "kept", "x-request-id", "client-id-123");
        assertThat(lastReceived()).containsEntry("x-request-id", "client-id-123");
    }

    /**
     * Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection: neither the client's reach the model server
     * (those its Connection headers name included, from every Connection header) nor the model server's the client,
     * streamed or not. Over raw sockets, since HTTP client libraries refuse to send most of them.
     */
    @Test
    void hopByHopHeadersStopAtTheGatewayBothWays() throws Exception {
        start("", "");
        String upstreamHop = "Connection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5, max=100\r\n"
                + "Proxy-Authenticate: Basic realm=\"upstream\"\r\nProxy-Connection: keep-alive\r\n"
                + "Trailer: x-checksum\r\nUpgrade: h2c\r\nTE: trailers\r\nx-upstream-kept: yes\r\n";
        a.responseHeaders = upstreamHop;
        b.responseHeaders = upstreamHop;
        for (boolean stream : List.of(false, true)) {
            a.headers.clear();
            b.headers.clear();
            String json = "{\"model\":\"m\",\"prompt\":\"hi\",\"stream\":" + stream + "}";
            String request = "POST /v1/completions HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
                    + "Connection: close, X-Foo\r\nConnection: x-bar\r\nX-Foo: 1\r\nx-bar: 2\r\n"
                    + "Keep-Alive: timeout=5\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                    + "Proxy-Connection: keep-alive\r\nTE: trailers\r\nUpgrade: websocket\r\nTrailer: x-checksum\r\n"
                    + "x-custom: kept\r\nContent-Length: " + json.length() + "\r\n\r\n" + json;
            String response;
            try (RawClient client = new RawClient(gw.server.port())) {
                response = client.send(request).readToEnd(Duration.ofSeconds(10));
            }
            assertThat(response).as(response).startsWith("HTTP/1.1 200");

            Map<String, String> got = lastReceived();
            assertThat(got).as("the model server got").containsEntry("x-custom", "kept").doesNotContainKeys(
                    "connection", "x-foo", "x-bar", "keep-alive", "proxy-authorization", "proxy-connection", "te",
                    "upgrade", "trailer");

            Map<String, List<String>> sent = responseHeaders(response);
            assertThat(sent).as(response).containsKey("x-upstream-kept").doesNotContainKeys("x-hop", "keep-alive",
                    "proxy-authenticate", "proxy-connection", "trailer", "upgrade", "te");
            // the gateway's own connection header only (it closes, as the client asked)
            assertThat(sent.getOrDefault("connection", List.of())).as(response).allSatisfy(v ->
                    assertThat(v.toLowerCase(java.util.Locale.ROOT)).isIn("close", "keep-alive"));
        }
    }

    /** The header lines of a raw HTTP/1.1 response, by lower-case name. */
    private static Map<String, List<String>> responseHeaders(String response) {
        Map<String, List<String>> out = new java.util.HashMap<>();
        String head = response.substring(0, response.indexOf("\r\n\r\n"));
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT),
                        k -> new java.util.ArrayList<>()).add(line.substring(colon + 1).trim());
            }
        }
        return out;
    }

    @Test
    void theDecisionRecordNeedsConfigurationOrTheAdminTokenAndTheTokenIsNeverForwarded() throws Exception {
        start("", "");
        HttpResponse<String> plain = send("x-jetway-debug", "1");
        assertThat(plain.headers().firstValue("x-jetway-decision")).isEmpty();
        HttpResponse<String> wrong = send("x-jetway-debug", "1", "x-jetway-admin-token", "guess-0123456789abcdef");
        assertThat(wrong.headers().firstValue("x-jetway-decision")).isEmpty();
        HttpResponse<String> admin = send("x-jetway-debug", "1", "x-jetway-admin-token", ADMIN_TOKEN, "x-custom", "k");
        assertThat(admin.headers().firstValue("x-jetway-decision")).isPresent();
        assertThat(lastReceived()).doesNotContainKeys("x-jetway-admin-token", "x-jetway-debug");
        assertThat(plain.headers().firstValue("x-jetway-endpoint")).isPresent();
    }

    @Test
    void debugRequestsOpensTheRecordToAllAndTheEndpointHeaderCanBeTurnedOff() throws Exception {
        start("", ", debugRequests: true, endpointHeader: false");
        HttpResponse<String> r = send("x-jetway-debug", "1");
        assertThat(r.headers().firstValue("x-jetway-decision")).isPresent();
        assertThat(r.headers().firstValue("x-jetway-endpoint")).isEmpty();
    }

    @Test
    void aTrustedPoolGetsTheClientsHeadersAndTheForwardedChainGrows() throws Exception {
        start("    trustClientHeaders: true\n", "");
        send(spoofed());
        Map<String, String> got = lastReceived();
        assertThat(got).containsEntry("x-jetway-anything", "1").containsEntry("x-prefiller-host-port", "10.6.6.6:8000")
                .containsEntry("x-forwarded-for", "6.6.6.6, 127.0.0.1").containsEntry("x-real-ip", "6.6.6.6");
        // the client's key stays the gateway's business unless the pool forwards it
        assertThat(got).doesNotContainKey("authorization");
    }

    @Test
    void theModelServerSeesThePoolsKeyOrTheClientsWhenForwarded() throws Exception {
        start("    upstreamAuth: {apiKeyFile: \"" + dir.resolve("pool-key") + "\"}\n", "");
        send("authorization", "Bearer client-key", "x-custom", "1");
        assertThat(lastReceived()).containsEntry("authorization", "Bearer pool-secret-key");
        // the health checks carry it too: a vLLM started with --api-key would refuse them otherwise
        await().atMost(Duration.ofSeconds(5)).until(() -> !a.healthCheckHeaders.isEmpty());
        assertThat(a.healthCheckHeaders.getFirst()).containsEntry("authorization", "Bearer pool-secret-key");
        gw.close();
        a.close();
        b.close();
        start("    upstreamAuth: {clientAuthorization: forward}\n", "");
        send("authorization", "Bearer client-key", "x-custom", "1");
        assertThat(lastReceived()).containsEntry("authorization", "Bearer client-key");
    }
}
