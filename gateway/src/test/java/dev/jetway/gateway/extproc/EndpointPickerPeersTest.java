package dev.jetway.gateway.extproc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.config.GatewayConfig;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.scheduler.sync.PeerSync;
import io.envoyproxy.envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.BodySendMode;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two pickers over the same endpoints, each the other's peer (the chart's two replicas): what one routes reaches the
 * other's prefix index and in-flight counts through the admin port's digests, as between two gateways.
 */
class EndpointPickerPeersTest {

    private final List<FakeModelServer> servers = new ArrayList<>();
    private String baseYaml;
    private EndpointPickerServer a;
    private EndpointPickerServer b;
    private ManagedChannel toA;
    private ManagedChannel toB;

    @BeforeEach
    void start() throws Exception {
        StringBuilder endpoints = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            FakeModelServer s = new FakeModelServer("s" + i);
            s.metricsPage = PickerHarness.metrics(0);
            servers.add(s);
            endpoints.append("      - {address: \"").append(s.address()).append("\"}\n");
        }
        baseYaml = "server: {host: 127.0.0.1, port: 0, adminPort: 0}\n"
                + "dataLayer: {scrapeInterval: 20ms, scrapeTimeout: 3s}\n"
                + "pools:\n  - name: p\n    models: [m]\n    endpointPicker: jetway-approximate\n"
                + "    endpoints:\n" + endpoints;
        a = EndpointPickerServer.start(ConfigLoader.parse(baseYaml, "test"), new EndpointPickerServer.Options(0, -1, 1));
        b = EndpointPickerServer.start(ConfigLoader.parse(baseYaml, "test"), new EndpointPickerServer.Options(0, -1, 1));
        a.reload(withPeer(b.adminPort()));
        b.reload(withPeer(a.adminPort()));
        toA = NettyChannelBuilder.forAddress("127.0.0.1", a.port()).usePlaintext().build();
        toB = NettyChannelBuilder.forAddress("127.0.0.1", b.port()).usePlaintext().build();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.ready() && b.ready());
    }

    private GatewayConfig withPeer(int adminPort) {
        return ConfigLoader.parse(baseYaml + "peers: {addresses: [\"127.0.0.1:" + adminPort
                + "\"], interval: 50ms, timeout: 1s, publishTimeout: 500ms}\n", "test");
    }

    @AfterEach
    void stop() throws Exception {
        toA.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
        toB.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
        a.close();
        b.close();
        for (FakeModelServer s : servers) {
            s.close();
        }
    }

    private static String body(int topic, String question) {
        String system = IntStream.range(0, 600).mapToObj(i -> "topic" + topic + "word" + (i % 37))
                .collect(Collectors.joining(" "));
        return "{\"model\":\"m\",\"prompt\":\"" + system + " question: " + question + "\",\"max_tokens\":2}";
    }

    /** Routes over a new stream and returns it, answered up to the handed-back body, and the primary. */
    private static String route(EnvoyStream envoy, String body) throws InterruptedException {
        envoy.requestHeaders(EnvoyStream.post("/v1/completions"), false, null);
        envoy.requestBody(body, true);
        String destination = EnvoyStream.metadataDestination(envoy.next());
        boolean end = false;
        while (!end) {
            end = envoy.next().getRequestBody().getResponse().getBodyMutation().getStreamedResponse().getEndOfStream();
        }
        return destination.split(",")[0];
    }

    private static void finish(EnvoyStream envoy) throws InterruptedException {
        envoy.responseHeaders(200, "application/json", null, false);
        envoy.next();
        envoy.responseBody("{\"usage\":{\"completion_tokens\":2}}", true);
        envoy.next();
        envoy.complete();
    }

    private static PeerSync syncOf(EndpointPickerServer picker) {
        return picker.peers().syncOf(picker.routing().table().pools().getFirst());
    }

    private static int peerInFlight(EndpointPickerServer picker) {
        return picker.routing().table().pools().getFirst().endpoints().stream()
                .mapToInt(e -> e.endpoint().peerInFlight().requests()).sum();
    }

    @Test
    void aPrefixOnePickerRoutedGoesToTheSameEndpointThroughTheOther() throws Exception {
        for (int topic = 0; topic < 4; topic++) {
            EndpointPickerServer second = topic % 2 == 0 ? b : a;
            long before = syncOf(second).stats().recordsApplied();
            String where;
            try (EnvoyStream envoy = new EnvoyStream(topic % 2 == 0 ? toA : toB, BodySendMode.FULL_DUPLEX_STREAMED,
                    BodySendMode.FULL_DUPLEX_STREAMED)) {
                where = route(envoy, body(topic, "one"));
                finish(envoy);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> syncOf(second).stats().recordsApplied() > before);
            try (EnvoyStream envoy = new EnvoyStream(topic % 2 == 0 ? toB : toA, BodySendMode.FULL_DUPLEX_STREAMED,
                    BodySendMode.FULL_DUPLEX_STREAMED)) {
                assertThat(route(envoy, body(topic, "two"))).as("topic %d: picked by the other picker", topic)
                        .isEqualTo(where);
                finish(envoy);
            }
        }
    }

    @Test
    void eachPickerCountsThePeersRequestsInFlight() throws Exception {
        try (EnvoyStream envoy = new EnvoyStream(toA, BodySendMode.FULL_DUPLEX_STREAMED,
                BodySendMode.FULL_DUPLEX_STREAMED)) {
            route(envoy, body(9, "long"));
            await().atMost(Duration.ofSeconds(5)).until(() -> peerInFlight(b) == 1);
            finish(envoy);
            await().atMost(Duration.ofSeconds(5)).until(() -> peerInFlight(b) == 0);
        }
    }
}
