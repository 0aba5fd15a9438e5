package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.service.ext_proc.v3.ExternalProcessorGrpc;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpBody;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpHeaders;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jetway epp}: its help; configurations or ports it cannot start with, each failing with a clear line; and the
 * command itself, run from an endpoints file, answering Envoy's ext_proc client and gRPC health.
 */
class EppCommandTest {

    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("jetway.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void helpDescribesTheCommandAndItsPorts() {
        CliRun r = CliRun.of("epp", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Usage: jetway epp", "--config", "--port", "default: 9002", "--health-port",
                "--admin-port", "--host", "--inference-pool", "--endpoints-file", "x-gateway-destination-endpoint",
                "--verbose", "--secure-serving", "--cert-path", "--tls-cert", "--tls-client-ca", "--admin-host",
                "--admin-token-file", "--api-keys");
        assertThat(CliRun.of("--help").out()).contains("epp");
    }

    @Test
    void aConfigOrDiscoveryIsRequired() {
        CliRun r = CliRun.of("epp");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("jetway epp: ").contains("needs --config FILE, or --inference-pool NAME");
    }

    @Test
    void routesTheEndpointsOfAFileOverExtProcAndReportsReadiness(@TempDir Path dir) throws Exception {
        try (SimCluster sim = SimCluster.start(SimOptions.defaults("m").withBindHost("127.0.0.1").withPort(0), 1)) {
            String address = "127.0.0.1:" + sim.replicas().getFirst().httpPort();
            Path eps = dir.resolve("endpoints.yaml");
            Files.writeString(eps, "endpoints:\n  - {address: \"" + address + "\"}\n");
            try (Running epp = Running.start("epp", "--endpoints-file", eps.toString(), "--host", "127.0.0.1",
                    "--port", "0", "--admin-port", "0", "-q")) {
                assertThat(epp.speaks).isEqualTo("plaintext gRPC");
                ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", epp.port).usePlaintext().build();
                try {
                    awaitReadiness(channel);
                    assertThat(route(channel)).isEqualTo(address);
                } finally {
                    channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static void awaitReadiness(ManagedChannel channel) throws InterruptedException {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (health.withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.newBuilder()
                .setService("readiness").build()).getStatus() != HealthCheckResponse.ServingStatus.SERVING) {
            assertThat(System.nanoTime()).as("ready in time").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** One request as Envoy's ext_proc filter sends it; the endpoint the picker names. */
    private static String route(ManagedChannel channel) throws InterruptedException {
        BlockingQueue<ProcessingResponse> replies = new LinkedBlockingQueue<>();
        StreamObserver<ProcessingRequest> out = ExternalProcessorGrpc.newStub(channel).process(
                new StreamObserver<>() {
                    @Override
                    public void onNext(ProcessingResponse value) {
                        replies.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        HeaderMap.Builder headers = HeaderMap.newBuilder();
        Map.of(":method", "POST", ":path", "/v1/completions", "content-type", "application/json")
                .forEach((k, v) -> headers.addHeaders(HeaderValue.newBuilder().setKey(k)
                        .setRawValue(ByteString.copyFromUtf8(v))));
        out.onNext(ProcessingRequest.newBuilder().setRequestHeaders(HttpHeaders.newBuilder()
                .setHeaders(headers)).build());
        out.onNext(ProcessingRequest.newBuilder().setRequestBody(HttpBody.newBuilder().setEndOfStream(true)
                .setBody(ByteString.copyFromUtf8("{\"model\":\"m\",\"prompt\":\"hi\"}"))).build());
        ProcessingResponse reply = replies.poll(10, TimeUnit.SECONDS);
        assertThat(reply).isNotNull();
        out.onCompleted();
        return reply.getRequestHeaders().getResponse().getHeaderMutation().getSetHeadersList().stream()
                .filter(h -> h.getHeader().getKey().equals("x-gateway-destination-endpoint"))
                .map(h -> h.getHeader().getRawValue().toStringUtf8()).findFirst().orElse(null);
    }

    @Test
    void secureServingSpeaksTlsWithASelfSignedCertificateAndTheAdminPortWantsItsToken(@TempDir Path dir)
            throws Exception {
        try (SimCluster sim = SimCluster.start(SimOptions.defaults("m").withBindHost("127.0.0.1").withPort(0), 1)) {
            String address = "127.0.0.1:" + sim.replicas().getFirst().httpPort();
            Path eps = dir.resolve("endpoints.yaml");
            Files.writeString(eps, "endpoints:\n  - {address: \"" + address + "\"}\n");
            Path token = dir.resolve("admin-token");
            Files.writeString(token, "epp-admin-token-0123456789\n");
            try (Running epp = Running.start("epp", "--endpoints-file", eps.toString(), "--host", "127.0.0.1",
                    "--port", "0", "--health-port", "0", "--admin-port", "0", "--secure-serving",
                    "--admin-token-file", token.toString(), "-q")) {
                assertThat(epp.speaks).isEqualTo("TLS with a self-signed certificate");
                ManagedChannel probe = NettyChannelBuilder.forAddress("127.0.0.1", epp.healthPort).usePlaintext()
                        .build();
                // Envoy's cluster with TLS and no validation_context: the certificate is not checked
                ManagedChannel envoy = Grpc.newChannelBuilderForAddress("127.0.0.1", epp.port,
                        TlsChannelCredentials.newBuilder().trustManager(InsecureTrustManagerFactory.INSTANCE
                                .getTrustManagers()).build()).build();
                ManagedChannel plaintext = NettyChannelBuilder.forAddress("127.0.0.1", epp.port).usePlaintext()
                        .build();
                try {
                    awaitReadiness(probe);
                    assertThat(route(envoy)).isEqualTo(address);
                    assertThatThrownBy(() -> HealthGrpc.newBlockingStub(plaintext).withDeadlineAfter(5,
                            TimeUnit.SECONDS).check(HealthCheckRequest.newBuilder().setService("readiness").build()))
                            .isInstanceOf(StatusRuntimeException.class);
                } finally {
                    for (ManagedChannel c : List.of(probe, envoy, plaintext)) {
                        c.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
                    }
                }
                try (HttpClient http = HttpClient.newHttpClient()) {
                    URI metrics = URI.create("http://127.0.0.1:" + epp.adminPort + "/metrics");
                    assertThat(http.send(HttpRequest.newBuilder(metrics).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
                    assertThat(http.send(HttpRequest.newBuilder(metrics).header("authorization",
                            "Bearer epp-admin-token-0123456789").build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode()).isEqualTo(200);
                }
            }
        }
    }

    @Test
    void tlsAndAdminFlagsThatDoNotFitAreRefused() throws Exception {
        Path file = write("server: {host: 127.0.0.1, adminPort: -1}\npools:\n  - name: p\n    endpoints:\n"
                + "      - {address: \"127.0.0.1:1\"}\n");
        String cfg = file.toString();
        assertThat(CliRun.of("epp", "--config", cfg, "--secure-serving=false", "--cert-path", dir.toString()).err())
                .startsWith("jetway epp: ").contains("--secure-serving=false serves plaintext");
        assertThat(CliRun.of("epp", "--config", cfg, "--cert-path", dir.toString(), "--tls-cert", "c.pem",
                "--tls-key", "k.pem").err()).contains("--cert-path and --tls-cert name the certificate twice");
        assertThat(CliRun.of("epp", "--config", cfg, "--tls-client-ca", "ca.pem").err())
                .contains("--tls-client-ca needs TLS");
        assertThat(CliRun.of("epp", "--config", cfg, "--admin-host", "0.0.0.0", "--admin-port", "0").err())
                .contains("server.adminHost 0.0.0.0 is reachable beyond this machine: set security.adminToken");
        CliRun noCert = CliRun.of("epp", "--config", cfg, "--port", "0", "--cert-path", dir.toString());
        assertThat(noCert.exitCode()).isEqualTo(1);
        assertThat(noCert.err()).startsWith("jetway epp: cannot start: server.tls: ")
                .contains(dir.resolve("tls.crt") + ": file not found").doesNotContain("\tat ");
    }

    /**
     * {@code jetway epp ...} running on a thread of its own until closed (the command's interrupt path), with what
     * its banner says: the ext_proc port and what it speaks, the health-only port (or -1) and the admin port.
     */
    private record Running(CliRun.InBackground run, int port, String speaks, int healthPort, int adminPort)
            implements AutoCloseable {

        private static final Pattern BANNER = Pattern.compile("jetway epp: ext_proc on [^:]+:(\\d+) over ([^(]+) "
                + "\\((?:gRPC health alone, plaintext, on port (\\d+); )?metrics on port (-?\\d+)\\)");

        static Running start(String... args) throws InterruptedException {
            CliRun.InBackground run = CliRun.InBackground.start("jetway epp", BANNER, args);
            var b = run.banner();
            return new Running(run, Integer.parseInt(b.group(1)), b.group(2),
                    b.group(3) == null ? -1 : Integer.parseInt(b.group(3)), Integer.parseInt(b.group(4)));
        }

        @Override
        public void close() {
            run.close();
        }
    }

    @Test
    void aMissingFileFailsNamingIt() {
        CliRun r = CliRun.of("epp", "--config", dir.resolve("nope.yaml").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("jetway epp: ").contains("nope.yaml");
    }

    @Test
    void aMalformedConfigFailsWithTheLoadersMessage() throws Exception {
        Path file = write("pools:\n  - name: p\n    endpoints:\n      - {address: \"no-port\"}\n");
        CliRun r = CliRun.of("epp", "--config", file.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("jetway epp: ").contains("host:port");
    }

    @Test
    void anUnknownPolicyCannotStart() throws Exception {
        Path file = write("server: {host: 127.0.0.1, adminPort: -1}\npools:\n  - name: p\n    endpointPicker: "
                + "no-such-policy\n    endpoints:\n      - {address: \"127.0.0.1:1\"}\n");
        CliRun r = CliRun.of("epp", "--config", file.toString(), "--port", "0");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("jetway epp: cannot start: ").contains("no-such-policy");
    }

    @Test
    void aPortInUseCannotStart() throws Exception {
        Path file = write("server: {host: 127.0.0.1, adminPort: -1}\npools:\n  - name: p\n    endpoints:\n"
                + "      - {address: \"127.0.0.1:1\"}\n");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CliRun r = CliRun.of("epp", "--config", file.toString(), "--port",
                    Integer.toString(taken.getLocalPort()));
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).startsWith("jetway epp: cannot start: ")
                    .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": the port is already in use; "
                            + "choose another with --port N").doesNotContain("\tat ");
        }
    }
}
