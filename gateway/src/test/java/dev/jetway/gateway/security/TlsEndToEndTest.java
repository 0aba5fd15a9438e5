package dev.jetway.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.gateway.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS with certificates made by a test CA, against real sockets: the API port's handshake (HTTP/1.1 and h2 by ALPN),
 * mutual TLS, certificate rotation without a restart, and HTTPS to model servers (CA bundle, server name, client
 * certificate).
 */
class TlsEndToEndTest {

    private static final String BODY = "{\"model\":\"m\",\"prompt\":\"hi\"}";

    @TempDir
    Path dir;
    private TestPki pki;
    private TestPki.Issued server;
    private FakeModelServer backend;
    private GatewayHarness gw;

    @BeforeEach
    void pki() throws Exception {
        pki = TestPki.create(dir, "jetway");
        server = pki.issue("gateway", "localhost", "127.0.0.1");
    }

    @AfterEach
    void stop() throws Exception {
        if (gw != null) {
            gw.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private void startGateway(String tlsExtra) throws Exception {
        backend = new FakeModelServer("a");
        gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                .replace("host: 127.0.0.1}", "host: 127.0.0.1, tls: {certFile: \"" + server.certFile()
                        + "\", keyFile: \"" + server.keyFile() + "\"" + tlsExtra + "}}"));
    }

    private HttpResponse<String> call(SSLContext client, HttpClient.Version version) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().sslContext(client).version(version)
                .connectTimeout(Duration.ofSeconds(5)).build()) {
            return http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + gw.server.port()
                    + "/v1/completions")).timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void theApiPortShakesHandsWithTheTestCasCertificateOverHttp1AndH2() throws Exception {
        startGateway("");
        HttpResponse<String> h1 = call(pki.context(null), HttpClient.Version.HTTP_1_1);
        assertThat(h1.statusCode()).isEqualTo(200);
        assertThat(h1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(h1.body()).contains("hello from a");
        assertThat(((X509Certificate) h1.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber())
                .isEqualTo(server.cert().getSerialNumber());

        HttpResponse<String> h2 = call(pki.context(null), HttpClient.Version.HTTP_2);
        assertThat(h2.statusCode()).isEqualTo(200);
        assertThat(h2.version()).as("ALPN chose h2").isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(h2.body()).contains("hello from a");

        TestPki stranger = TestPki.create(dir, "stranger");
        assertThatThrownBy(() -> call(stranger.context(null), HttpClient.Version.HTTP_1_1))
                .isInstanceOf(IOException.class);
    }

    @Test
    void mutualTlsRefusesAClientWithoutACertificateOrWithOneFromAnotherCa() throws Exception {
        startGateway(", clientCaFile: \"" + pki.caFile() + "\"");
        assertThatThrownBy(() -> call(pki.context(null), HttpClient.Version.HTTP_1_1))
                .isInstanceOf(IOException.class);
        TestPki stranger = TestPki.create(dir, "stranger");
        TestPki.Issued foreign = stranger.issue("foreign-client", "client");
        SSLContext foreignClient = SSLContext.getInstance("TLS");
        // trusts the gateway's CA, presents a certificate of another CA
        foreignClient.init(keyManagers(stranger, foreign), trustManagers(pki), null);
        assertThatThrownBy(() -> call(foreignClient, HttpClient.Version.HTTP_1_1)).isInstanceOf(IOException.class);
        assertThat(backend.completionRequests.get()).isZero();

        TestPki.Issued client = pki.issue("client", "client");
        assertThat(call(pki.context(client), HttpClient.Version.HTTP_1_1).statusCode()).isEqualTo(200);
        assertThat(call(pki.context(client), HttpClient.Version.HTTP_2).statusCode()).isEqualTo(200);
    }

    private static javax.net.ssl.KeyManager[] keyManagers(TestPki pki, TestPki.Issued own) throws Exception {
        var keys = java.security.KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("me", own.keys().getPrivate(), new char[0], new X509Certificate[] {own.cert(), pki.caCert()});
        var kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        return kmf.getKeyManagers();
    }

    private static javax.net.ssl.TrustManager[] trustManagers(TestPki pki) throws Exception {
        var trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", pki.caCert());
        var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf.getTrustManagers();
    }

    @Test
    void aRotatedCertificateServesNewConnectionsWhileOpenOnesGoOn() throws Exception {
        startGateway("");
        SSLContext client = pki.context(null);
        try (SSLSocket open = (SSLSocket) client.getSocketFactory().createSocket("localhost", gw.server.port())) {
            assertThat(exchange(open)).startsWith("HTTP/1.1 200");

            TestPki.Issued rotated = pki.issue("gateway-next", "localhost", "127.0.0.1");
            // a rotation writes the key first: for a moment the pair does not match, and the old one stays in use
            Files.copy(rotated.keyFile(), server.keyFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Thread.sleep(2 * WatchedFile.INTERVAL.toMillis());
            assertThat(serialSeen(client)).isEqualTo(server.cert().getSerialNumber());
            Files.copy(rotated.certFile(), server.certFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            await().atMost(Duration.ofSeconds(10)).until(() -> serialSeen(client).equals(
                    rotated.cert().getSerialNumber()));

            assertThat(exchange(open)).as("the connection opened before the rotation").startsWith("HTTP/1.1 200");
        }
    }

    private java.math.BigInteger serialSeen(SSLContext client) throws Exception {
        return ((X509Certificate) call(client, HttpClient.Version.HTTP_1_1).sslSession().orElseThrow()
                .getPeerCertificates()[0]).getSerialNumber();
    }

    /** One keep-alive HTTP/1.1 request on {@code s}; the status line and headers. */
    private static String exchange(SSLSocket s) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("POST /v1/completions HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n"
                + "content-length: " + BODY.length() + "\r\n\r\n" + BODY).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        int length = Integer.parseInt(head.toString().lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                .findFirst().orElseThrow().substring(15).trim());
        in.readNBytes(length);
        return head.toString();
    }

    @Test
    void modelServersAreReachedOverHttpsWithThePoolsCaServerNameAndClientCertificate() throws Exception {
        // the model server's certificate names model.internal, not the address the gateway connects to
        TestPki models = TestPki.create(dir, "models");
        TestPki.Issued modelCert = models.issue("model", "model.internal");
        TestPki.Issued gatewayClient = models.issue("gateway-client", "jetway");
        backend = new FakeModelServer("tls", models.context(modelCert), true);
        backend.pages.put("/tokenize", "{\"count\":2,\"max_model_len\":4096,\"tokens\":[1,2]}");
        String pool = "    tls: {caFile: \"" + models.caFile() + "\", serverName: model.internal, certFile: \""
                + gatewayClient.certFile() + "\", keyFile: \"" + gatewayClient.keyFile() + "\"}\n"
                + "    tokenizer: engine\n";
        gw = GatewayHarness.start(GatewayHarness.yaml("random", "", List.of(backend.address()))
                .replace("    models: [m]\n", "    models: [m]\n" + pool));
        // scrapes go over HTTPS too: the endpoint comes into rotation
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.get(gw.uri("/ready")).statusCode() == 200);
        HttpResponse<String> r = gw.post("/v1/completions", BODY);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("hello from tls");
        assertThat(backend.completionRequests.get()).isEqualTo(1);
        // the engine tokenizer's /tokenize too, with the pool's CA, server name and client certificate
        assertThat(backend.pageRequests).singleElement().asString().startsWith("/tokenize ");
        // and so do the health checks
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.endpointsView().contains("\"checked\":true"));
        assertThat(backend.healthChecks.get()).isPositive();
    }

    @Test
    void aModelServerWhoseCertificateDoesNotNameTheServerNameIsRefused() throws Exception {
        TestPki models = TestPki.create(dir, "models");
        backend = new FakeModelServer("tls", models.context(models.issue("model", "other.internal")), false);
        String pool = "    tls: {caFile: \"" + models.caFile() + "\", serverName: model.internal}\n";
        gw = GatewayHarness.start(GatewayHarness.yaml("random", "maxRetries: 0", List.of(backend.address()))
                .replace("    models: [m]\n", "    models: [m]\n" + pool));
        HttpResponse<String> r = gw.post("/v1/completions", BODY);
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).contains("TLS handshake failed").doesNotContain("sun.").doesNotContain("Exception");
        assertThat(backend.completionRequests.get()).isZero();
    }
}
