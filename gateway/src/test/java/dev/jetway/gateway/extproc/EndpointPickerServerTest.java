package dev.jetway.gateway.extproc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.testing.FakeModelServer;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The picker as a server: gRPC health (liveness at once; readiness and the ext_proc service only once every pool's
 * endpoints were scraped), a P/D split carried as llm-d's sidecar expects it, and a live configuration reload.
 */
class EndpointPickerServerTest {

    private static ServingStatus status(ManagedChannel channel, String service) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }

    @Test
    void healthReportsLivenessAtOnceAndReadinessOnceEveryPoolWasScraped() throws Exception {
        FakeModelServer slow = new FakeModelServer("slow");
        slow.metricsDown = true; // no successful scrape yet
        String pools = "pools:\n"
                + "  - name: p\n    models: [m]\n    endpoints:\n      - {address: \"" + slow.address() + "\"}\n";
        try (PickerHarness h = PickerHarness.start(List.of(slow), pools, "")) {
            assertThat(status(h.channel, EndpointPickerServer.LIVENESS)).isEqualTo(ServingStatus.SERVING);
            Thread.sleep(300); // several scrapes, all failing
            assertThat(status(h.channel, EndpointPickerServer.READINESS)).isEqualTo(ServingStatus.NOT_SERVING);
            assertThat(status(h.channel, "envoy.service.ext_proc.v3.ExternalProcessor"))
                    .isEqualTo(ServingStatus.NOT_SERVING);
            try (var http = java.net.http.HttpClient.newHttpClient()) {
                var ready = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                        + h.picker.adminPort() + "/ready")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("waiting for a first successful scrape of an endpoint of pool p");
            }

            slow.metricsDown = false;
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(status(h.channel, EndpointPickerServer.READINESS)).isEqualTo(ServingStatus.SERVING);
                assertThat(status(h.channel, "envoy.service.ext_proc.v3.ExternalProcessor"))
                        .isEqualTo(ServingStatus.SERVING);
            });
        }
    }

    @Test
    void healthIsAlsoServedOnItsOwnPortWhenAsked() throws Exception {
        try (FakeModelServer s = new FakeModelServer("a")) {
            String yaml = "server: {host: 127.0.0.1, adminPort: -1}\n"
                    + "pools:\n  - name: p\n    endpoints:\n      - {address: \"" + s.address() + "\"}\n";
            try (EndpointPickerServer picker = EndpointPickerServer.start(ConfigLoader.parse(yaml, "test"),
                    new EndpointPickerServer.Options(0, 0, 1))) {
                assertThat(picker.adminPort()).isEqualTo(-1);
                ManagedChannel health = NettyChannelBuilder.forAddress("127.0.0.1", picker.healthPort())
                        .usePlaintext().build();
                try {
                    await().atMost(Duration.ofSeconds(5)).until(() ->
                            status(health, EndpointPickerServer.READINESS) == ServingStatus.SERVING);
                } finally {
                    health.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Test
    void aSplitRequestCarriesThePrefillEndpointForTheDecodeSidecar() throws Exception {
        FakeModelServer prefill = new FakeModelServer("prefill");
        FakeModelServer decode = new FakeModelServer("decode");
        String pools = "pools:\n  - name: p\n    models: [m]\n"
                + "    endpointPicker: |\n"
                + "      apiVersion: llm-d.ai/v1\n"
                + "      kind: EndpointPickerConfig\n"
                + "      plugins:\n"
                + "      - type: prefill-filter\n"
                + "      - type: decode-filter\n"
                + "      - type: queue-scorer\n"
                + "      - type: always-disagg-pd-decider\n"
                + "      - type: disagg-profile-handler\n"
                + "        parameters: {deciders: {prefill: always-disagg-pd-decider}}\n"
                + "      schedulingProfiles:\n"
                + "      - name: prefill\n"
                + "        plugins: [{pluginRef: prefill-filter}, {pluginRef: queue-scorer}]\n"
                + "      - name: decode\n"
                + "        plugins: [{pluginRef: decode-filter}, {pluginRef: queue-scorer}]\n"
                + "    endpoints:\n"
                + "      - {address: \"" + prefill.address() + "\", role: prefill}\n"
                + "      - {address: \"" + decode.address() + "\", role: decode}\n";
        // the pool's default mode is the gateway's own prefill leg; the picker cannot run one and uses the sidecar
        try (PickerHarness h = PickerHarness.start(List.of(prefill, decode), pools, "").awaitReady();
             EnvoyStream envoy = h.fullDuplex()) {
            envoy.requestHeaders(EnvoyStream.post("/v1/completions"), false, null);
            envoy.requestBody("{\"model\":\"m\",\"prompt\":\"a long prompt to prefill elsewhere\"}", true);
            ProcessingResponse reply = envoy.next();
            Map<String, String> set = EnvoyStream.setHeaders(reply.getRequestHeaders().getResponse());
            assertThat(set).containsEntry("x-gateway-destination-endpoint", decode.address())
                    .containsEntry("x-prefiller-host-port", prefill.address());
            assertThat(EnvoyStream.metadataDestination(reply)).isEqualTo(decode.address());
            var endpoints = h.picker.routing().table().pools().getFirst().endpoints();
            var prefillEndpoint = endpoints.stream().filter(e -> e.address().toString().equals(prefill.address()))
                    .findFirst().orElseThrow().endpoint();
            assertThat(prefillEndpoint.inFlightPrefills()).as("the prefill leg is counted on its endpoint")
                    .isEqualTo(1);
            assertThat(h.metricsPage()).contains("llm_d_epp_disagg_decision_total{decision_type=\"prefill-decode\"} 1.0");
        }
    }

    @Test
    void aReloadedConfigurationRoutesTheNextRequest() throws Exception {
        try (PickerHarness h = PickerHarness.start(PickerHarness.queuePicker(1), "", 0).awaitReady();
             FakeModelServer added = new FakeModelServer("added")) {
            added.metricsPage = PickerHarness.metrics(0);
            h.servers.getFirst().metricsPage = PickerHarness.metrics(50);
            String yaml = "server: {host: 127.0.0.1, port: 0, adminPort: 0}\n"
                    + "dataLayer: {scrapeInterval: 20ms, scrapeTimeout: 3s, unreadyAfterFailures: 1}\n"
                    + "pools:\n  - name: p\n    models: [m]\n    endpointPicker: " + PickerHarness.queuePicker(1) + "\n"
                    + "    endpoints:\n      - {address: \"" + h.address(0) + "\"}\n"
                    + "      - {address: \"" + added.address() + "\"}\n";
            h.picker.reload(ConfigLoader.parse(yaml, "test"));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                try (EnvoyStream envoy = h.fullDuplex()) {
                    envoy.requestHeaders(EnvoyStream.post("/v1/completions"), false, null);
                    envoy.requestBody("{\"model\":\"m\",\"prompt\":\"x\"}", true);
                    assertThat(EnvoyStream.metadataDestination(envoy.next())).isEqualTo(added.address());
                }
            });
        }
    }
}
