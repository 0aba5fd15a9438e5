package dev.jetway.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import dev.jetway.sim.SimReplica;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** KV events from the replicas feed the pool's precise index; the "precise" policy routes with it. */
class PreciseRoutingTest {

    @Test
    void kvEventsFillThePreciseIndexAndRouteRepeatsToTheCachingReplica() throws Exception {
        try (SimCluster sim = SimCluster.start(SimOptions.defaults("m").withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100").withKvEvents("tcp://127.0.0.1:*"), 2)) {
            String endpoints = sim.replicas().stream()
                    .map(r -> "      - {address: \"127.0.0.1:" + r.httpPort() + "\", kvEvents: \"" + r.kvEventsEndpoint() + "\"}")
                    .collect(Collectors.joining("\n"));
            String yaml = GatewayHarness.yaml("precise", "", java.util.List.of("placeholder:1"))
                    .replace("      - {address: \"placeholder:1\"}", endpoints);
            try (GatewayHarness gw = GatewayHarness.start(yaml)) {
                PrecisePrefixIndex index = gw.server.routing().preciseIndex("p");
                assertThat(index).isNotNull();
                dev.jetway.gateway.testing.KvEventsLive.await(index, sim.replicas(), "m");
                String prompt = FillerText.sequence(600, 3);
                String body = "{\"model\":\"m\",\"max_tokens\":1,\"prompt\":\"" + prompt + "\"}";
                HttpResponse<String> first = gw.post("/v1/completions", body);
                assertThat(first.statusCode()).isEqualTo(200);
                String replica = first.headers().firstValue("x-jetway-endpoint").orElseThrow();
                // the replica publishes BlockStored for the prompt's blocks (flushed at 16 events or every second)
                await().atMost(Duration.ofSeconds(10)).until(() -> index.stats().entries() >= 30);
                for (int i = 0; i < 4; i++) {
                    HttpResponse<String> again = gw.post("/v1/completions", body.replace("\"max_tokens\":1", "\"max_tokens\":2"));
                    assertThat(again.headers().firstValue("x-jetway-endpoint")).hasValue(replica);
                }
                // the events themselves arrive over ZMQ (not only the speculative entries of the picks)
                await().atMost(Duration.ofSeconds(10)).until(() -> gw.metricsPage()
                        .matches("(?s).*jetway_kv_events_applied_total\\{pool=\"p\"} [1-9].*"));
                assertThat(gw.metricsPage()).contains("jetway_kv_hash_parity_ratio{pool=\"p\"}");
            }
        }
    }
}
