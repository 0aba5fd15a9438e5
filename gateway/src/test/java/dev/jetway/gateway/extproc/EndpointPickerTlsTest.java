package dev.jetway.gateway.extproc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.security.WatchedFile;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.TestPki;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.BodySendMode;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.math.BigInteger;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the ext_proc port ({@code server.tls} in endpoint-picker mode), against real sockets, driven by Envoy's
 * generated ext_proc client over gRPC's TLS: a certificate of a test CA, a plaintext client refused, mutual TLS with
 * and without a client certificate, rotation without a restart while an open connection carries on, GIE's
 * self-signed default, and the health-only port staying plaintext for Kubernetes' probes.
 */
class EndpointPickerTlsTest {

    private static final String COMPLETION = "{\"model\":\"m\",\"prompt\":\"hi\"}";

    @TempDir
    Path dir;
    private TestPki pki;
    private TestPki.Issued server;
    private final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeEach
    void pki() throws Exception {
        pki = TestPki.create(dir, "envoy-to-epp");
        server = pki.issue("epp", "localhost", "127.0.0.1");
    }

    @AfterEach
    void closeChannels() throws InterruptedException {
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
        }
    }

    private PickerHarness picker(String tls) throws Exception {
        return PickerHarness.start(PickerHarness.queuePicker(1),
                "server: {host: 127.0.0.1, port: 0, adminPort: 0, tls: {" + tls + "}}\n", 0).awaitReady();
    }

    private String files() {
        return "certFile: \"" + server.certFile() + "\", keyFile: \"" + server.keyFile() + "\"";
    }

    /**
     * Envoy's side: a TLS connection that checks the server against {@code trust} and presents {@code own} whatever CAs
     * the server names (a JDK client would quietly send nothing when its certificate is not of those).
     */
    private ManagedChannel channel(int port, TlsChannelCredentials.Builder trust, TestPki.Issued own) throws Exception {
        if (own != null) {
            trust.keyManager(new Presenting(own));
        }
        ManagedChannel c = Grpc.newChannelBuilderForAddress("127.0.0.1", port, trust.build()).build();
        channels.add(c);
        return c;
    }

    /** A client key manager that always presents one certificate. */
    private static final class Presenting extends X509ExtendedKeyManager {

        private final TestPki.Issued own;

        Presenting(TestPki.Issued own) {
            this.own = own;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "me";
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "me";
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"me"};
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return new X509Certificate[] {own.cert()};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return own.keys().getPrivate();
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }

    private TlsChannelCredentials.Builder trustingTheCa() throws Exception {
        return TlsChannelCredentials.newBuilder().trustManager(pki.caFile().toFile());
    }

    /** Envoy's cluster without a {@code validation_context}: any certificate is taken. */
    private static TlsChannelCredentials.Builder skippingVerification() {
        return TlsChannelCredentials.newBuilder().trustManager(InsecureTrustManagerFactory.INSTANCE.getTrustManagers());
    }

    private ManagedChannel plaintext(int port) {
        ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        channels.add(c);
        return c;
    }

    /** One request through the picker as Envoy sends it; the endpoint it names. */
    private static String route(ManagedChannel channel) throws InterruptedException {
        try (EnvoyStream envoy = new EnvoyStream(channel, BodySendMode.FULL_DUPLEX_STREAMED,
                BodySendMode.FULL_DUPLEX_STREAMED)) {
            envoy.requestHeaders(EnvoyStream.post("/v1/completions"), false, null);
            envoy.requestBody(COMPLETION, true);
            return EnvoyStream.metadataDestination(envoy.next());
        }
    }

    private static ServingStatus readiness(ManagedChannel channel) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(EndpointPickerServer.READINESS).build()).getStatus();
    }

    private static void refused(ManagedChannel channel) {
        assertThatThrownBy(() -> readiness(channel)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    /** The certificate a new connection is shown (ALPN h2, as gRPC asks). */
    private static X509Certificate served(int port) throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters p = s.getSSLParameters();
            p.setApplicationProtocols(new String[] {"h2"});
            s.setSSLParameters(p);
            s.setSoTimeout(5_000);
            s.startHandshake();
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void envoysClientRoutesOverTlsAndAPlaintextClientIsRefused() throws Exception {
        try (PickerHarness h = picker(files())) {
            int port = h.picker.port();
            ManagedChannel tls = channel(port, trustingTheCa(), null);
            assertThat(readiness(tls)).isEqualTo(ServingStatus.SERVING);
            assertThat(route(tls)).isEqualTo(h.address(0));
            assertThat(served(port).getSerialNumber()).isEqualTo(server.cert().getSerialNumber());

            refused(plaintext(port));
            assertThat(h.metricsPage()).contains("jetway_epp_streams_total{outcome=\"routed\"} 1.0");
        }
    }

    @Test
    void mutualTlsTakesOnlyClientsWithACertificateOfTheCa() throws Exception {
        TestPki.Issued envoy = pki.issue("envoy");
        TestPki stranger = TestPki.create(dir, "stranger");
        TestPki.Issued strangers = stranger.issue("mallory");
        try (PickerHarness h = picker(files() + ", clientCaFile: \"" + pki.caFile() + "\"")) {
            int port = h.picker.port();
            assertThat(route(channel(port, trustingTheCa(), envoy))).isEqualTo(h.address(0));
            refused(channel(port, trustingTheCa(), null));
            refused(channel(port, trustingTheCa(), strangers));
        }
        try (PickerHarness h = picker(files() + ", clientCaFile: \"" + pki.caFile() + "\", clientAuth: optional")) {
            assertThat(route(channel(h.picker.port(), trustingTheCa(), null))).as("optional: none sent is fine")
                    .isEqualTo(h.address(0));
            refused(channel(h.picker.port(), trustingTheCa(), strangers)); // sent, so checked
            assertThat(route(channel(h.picker.port(), trustingTheCa(), envoy))).isEqualTo(h.address(0));
        }
    }

    @Test
    void aRotatedCertificateServesNewConnectionsWhileAnOpenOneGoesOn() throws Exception {
        try (PickerHarness h = picker(files())) {
            int port = h.picker.port();
            ManagedChannel open = channel(port, trustingTheCa(), null);
            assertThat(route(open)).isEqualTo(h.address(0));

            TestPki.Issued rotated = pki.issue("epp-next", "localhost", "127.0.0.1");
            // the key first: for a moment the pair does not match, and the running certificate stays
            Files.copy(rotated.keyFile(), server.keyFile(), StandardCopyOption.REPLACE_EXISTING);
            Thread.sleep(2 * WatchedFile.INTERVAL.toMillis());
            assertThat(served(port).getSerialNumber()).isEqualTo(server.cert().getSerialNumber());
            Files.copy(rotated.certFile(), server.certFile(), StandardCopyOption.REPLACE_EXISTING);
            BigInteger next = rotated.cert().getSerialNumber();
            await().atMost(Duration.ofSeconds(10)).until(() -> served(port).getSerialNumber().equals(next));

            assertThat(route(open)).as("a new stream on the connection opened before").isEqualTo(h.address(0));
            assertThat(route(channel(port, trustingTheCa(), null))).isEqualTo(h.address(0));
            assertThat(h.picker.tls().certificate().getSerialNumber()).isEqualTo(next);
        }
    }

    @Test
    void selfSignedServesTlsThatEnvoySkippingVerificationTakes() throws Exception {
        try (PickerHarness h = picker("selfSigned: true")) {
            int port = h.picker.port();
            assertThat(route(channel(port, skippingVerification(), null))).isEqualTo(h.address(0));
            X509Certificate c = served(port);
            assertThat(c.getIssuerX500Principal()).isEqualTo(c.getSubjectX500Principal());
            assertThat(c).isEqualTo(h.picker.tls().certificate());
            refused(channel(port, trustingTheCa(), null)); // a client that verifies does not trust it
            refused(plaintext(port));
        }
    }

    @Test
    void theHealthOnlyPortStaysPlaintextForProbes() throws Exception {
        try (FakeModelServer s = new FakeModelServer("a")) {
            String yaml = "server: {host: 127.0.0.1, adminPort: -1, tls: {" + files() + "}}\n"
                    + "pools:\n  - name: p\n    endpoints:\n      - {address: \"" + s.address() + "\"}\n";
            try (EndpointPickerServer picker = EndpointPickerServer.start(ConfigLoader.parse(yaml, "test"),
                    new EndpointPickerServer.Options(0, 0, 1))) {
                ManagedChannel probe = plaintext(picker.healthPort());
                await().atMost(Duration.ofSeconds(10)).until(() -> readiness(probe) == ServingStatus.SERVING);
                refused(plaintext(picker.port()));
                assertThat(readiness(channel(picker.port(), trustingTheCa(), null))).isEqualTo(ServingStatus.SERVING);
            }
        }
    }

    @Test
    void aCertificateThatDoesNotLoadStopsTheStart() throws Exception {
        Path broken = dir.resolve("broken.pem");
        Files.writeString(broken, "not a certificate");
        String yaml = "server: {host: 127.0.0.1, adminPort: -1, tls: {certFile: \"" + broken + "\", keyFile: \""
                + server.keyFile() + "\"}}\npools:\n  - name: p\n    endpoints:\n      - {address: \"127.0.0.1:1\"}\n";
        assertThatThrownBy(() -> EndpointPickerServer.start(ConfigLoader.parse(yaml, "test"),
                new EndpointPickerServer.Options(0, -1, 1)))
                .hasMessageContaining("server.tls: ").hasMessageContaining("broken.pem: not a PEM certificate");
    }
}
