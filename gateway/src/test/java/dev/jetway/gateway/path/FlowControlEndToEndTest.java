package dev.jetway.gateway.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.scheduler.flow.FlowController;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Flow control in the gateway, over real sockets: a pool whose EndpointPickerConfig turns the {@code flowControl}
 * feature gate on queues what the pool has no room for, lets it through by priority, sheds what waits too long or does
 * not fit, forgets a request whose client left, and keeps dispatching through a scrape blackout.
 */
class FlowControlEndToEndTest {

    /** One pool {@code p} whose picker config has flow control with {@code flowControl} and {@code detector}. */
    private static String yaml(List<String> addresses, String detector, String flowControl) {
        String picker = """
                |
                      apiVersion: llm-d.ai/v1
                      kind: EndpointPickerConfig
                      featureGates: [flowControl]
                      plugins:
                      - type: random-picker
                      - type: %s
                      flowControl:
                        saturationDetector: {pluginRef: %s}
                        %s
                """.formatted(detector, detector.split("\n")[0].trim(), flowControl);
        return GatewayHarness.yaml(picker.stripTrailing(), "", addresses)
                + "admission: {objectives: {critical: 10, standard: 0, batch: -1}}\n";
    }

    private static final String ONE_AT_A_TIME = "concurrency-detector\n        parameters: {maxConcurrency: 1}";

    private static HttpRequest request(GatewayHarness gw, String objective, boolean stream) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri("/v1/completions"))
                .timeout(Duration.ofSeconds(20)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"" + objective + "\""
                        + (stream ? ",\"stream\":true" : "") + "}"));
        if (objective != null) {
            b.header("x-llm-d-inference-objective", objective);
        }
        return b.build();
    }

    private static CompletableFuture<HttpResponse<String>> send(GatewayHarness gw, String objective, boolean stream) {
        return gw.http.sendAsync(request(gw, objective, stream), HttpResponse.BodyHandlers.ofString());
    }

    private static FlowController controller(GatewayHarness gw) {
        return gw.server.routing().table().pools().getFirst().flowController();
    }

    private static long queued(GatewayHarness gw) {
        return controller(gw).snapshot().queuedRequests();
    }

    @Test
    void whatWaitsGoesOutByPriorityWhenThereIsRoom() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(yaml(List.of(backend.address()), ONE_AT_A_TIME, ""))) {
            backend.streamChunks = 5;
            backend.chunkDelayMillis = 150;
            var blocker = send(gw, "standard", true);
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.completionRequests.get() == 1);
            var batch = send(gw, "batch", false);
            await().atMost(Duration.ofSeconds(5)).until(() -> queued(gw) == 1);
            var critical = send(gw, "critical", false);
            await().atMost(Duration.ofSeconds(5)).until(() -> queued(gw) == 2);
            assertThat(backend.completionRequests.get()).isEqualTo(1);

            assertThat(blocker.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(critical.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(batch.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            List<String> order = backend.bodies.stream()
                    .map(b -> new String(b, StandardCharsets.UTF_8).replaceAll(".*\"prompt\":\"([a-z]+)\".*", "$1"))
                    .toList();
            assertThat(order).containsExactly("standard", "critical", "batch");
            assertThat(gw.metricsPage())
                    .contains("llm_d_epp_flow_control_request_queue_duration_seconds_count{fairness_id=\"default-flow\","
                            + "inference_pool=\"p\",model_name=\"m\",outcome=\"Dispatched\",priority=\"10\"")
                    .contains("llm_d_epp_flow_control_pool_saturation{inference_pool=\"p\"}");
        }
    }

    @Test
    void anIdlePoolShowsItsSaturationNotFull() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(yaml(List.of(backend.address()), ONE_AT_A_TIME, ""))) {
            // no request yet: the gauge follows the pool (0 in flight of 1), not the empty pool's "full"
            await().atMost(Duration.ofSeconds(5)).until(() -> gw.metricsPage()
                    .contains("llm_d_epp_flow_control_pool_saturation{inference_pool=\"p\"} 0.0"));
        }
    }

    @Test
    void aRequestThatWaitsPastItsTtlIs429TtlExpiredAndNeverReachesTheServer() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(yaml(List.of(backend.address()), ONE_AT_A_TIME,
                     "defaultRequestTTL: 300ms"))) {
            backend.streamChunks = 20;
            backend.chunkDelayMillis = 100;
            var blocker = send(gw, "standard", true);
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.completionRequests.get() == 1);
            long t0 = System.nanoTime();
            HttpResponse<String> late = send(gw, "critical", false).get(10, TimeUnit.SECONDS);
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(late.statusCode()).isEqualTo(429);
            assertThat(late.headers().firstValue("x-llm-d-request-dropped-reason")).hasValue("rejected-ttl-expired");
            assertThat(late.body()).contains("\"type\":\"rate_limit_error\"");
            assertThat(waitedMs).isGreaterThanOrEqualTo(300);
            assertThat(backend.completionRequests.get()).isEqualTo(1);
            assertThat(blocker.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aFullBandRefusesAtOnce() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(yaml(List.of(backend.address()), ONE_AT_A_TIME,
                     "priorityBands: [{priority: 0, maxRequests: 1}]"))) {
            backend.streamChunks = 10;
            backend.chunkDelayMillis = 100;
            var blocker = send(gw, "standard", true);
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.completionRequests.get() == 1);
            var waiting = send(gw, "standard", false);
            await().atMost(Duration.ofSeconds(5)).until(() -> queued(gw) == 1);
            HttpResponse<String> refused = send(gw, "standard", false).get(5, TimeUnit.SECONDS);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("x-llm-d-request-dropped-reason")).hasValue("rejected-saturated");
            assertThat(waiting.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(blocker.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aFullRoundRobinBandGivesATenantWithNothingQueuedItsShare() throws Exception {
        String detector = ONE_AT_A_TIME + "\n      - type: round-robin-fairness-policy";
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(yaml(List.of(backend.address()), detector,
                     "priorityBands: [{priority: 0, maxRequests: 2, "
                             + "fairnessPolicyRef: round-robin-fairness-policy}]"))) {
            backend.streamChunks = 10;
            backend.chunkDelayMillis = 100;
            var blocker = send(gw, "standard", true);
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.completionRequests.get() == 1);
            var a1 = gw.http.sendAsync(tenant(gw, "tenant-a", "a1"), HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(5)).until(() -> queued(gw) == 1);
            var a2 = gw.http.sendAsync(tenant(gw, "tenant-a", "a2"), HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(5)).until(() -> queued(gw) == 2);
            var b1 = gw.http.sendAsync(tenant(gw, "tenant-b", "b1"), HttpResponse.BodyHandlers.ofString());

            HttpResponse<String> displaced = a2.get(5, TimeUnit.SECONDS); // tenant-a's newest gave its place
            assertThat(displaced.statusCode()).isEqualTo(429);
            assertThat(displaced.headers().firstValue("x-llm-d-request-dropped-reason"))
                    .hasValue("rejected-saturated");
            assertThat(displaced.body()).contains("\"type\":\"rate_limit_error\"").contains("fewer queued");
            assertThat(blocker.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(a1.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(b1.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(backend.completionRequests.get()).isEqualTo(3); // a2 never reached it
        }
    }

    private static HttpRequest tenant(GatewayHarness gw, String tenant, String prompt) {
        return HttpRequest.newBuilder(gw.uri("/v1/completions")).timeout(Duration.ofSeconds(20))
                .header("content-type", "application/json").header("x-llm-d-inference-objective", "standard")
                .header("x-llm-d-inference-fairness-id", tenant)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"" + prompt + "\"}"))
                .build();
    }

    @Test
    void aQueuedRequestWhoseClientLeavesIsGoneFromTheQueueAtOnce() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(yaml(List.of(backend.address()), ONE_AT_A_TIME, ""))) {
            backend.streamChunks = 10;
            backend.chunkDelayMillis = 100;
            var blocker = send(gw, "standard", true);
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.completionRequests.get() == 1);
            String body = "{\"model\":\"m\",\"prompt\":\"leaver\"}";
            try (Socket s = new Socket("127.0.0.1", gw.server.port())) {
                OutputStream out = s.getOutputStream();
                out.write(("POST /v1/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                        + "content-length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                await().atMost(Duration.ofSeconds(5)).until(() -> queued(gw) == 1);
            }
            // one dispatch tick is 10 ms; the removal happens when the connection closes, not at a tick
            await().atMost(Duration.ofMillis(500)).until(() -> queued(gw) == 0);
            assertThat(blocker.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"after\"}").statusCode())
                    .isEqualTo(200);
            assertThat(backend.bodies.stream().map(b -> new String(b, StandardCharsets.UTF_8)))
                    .noneMatch(b -> b.contains("leaver"));
            assertThat(gw.metricsPage()).contains("outcome=\"EvictedContextCancelled\"");
        }
    }

    @Test
    void withEvictionARunningSheddableRequestMakesRoomForACriticalOne() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(yaml(List.of(backend.address()), ONE_AT_A_TIME,
                     "enableEviction: true"))) {
            backend.streamChunks = 50;
            backend.chunkDelayMillis = 100;
            var batch = send(gw, "batch", true);
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.completionRequests.get() == 1);
            backend.streamChunks = 1;
            HttpResponse<String> critical = send(gw, "critical", true).get(10, TimeUnit.SECONDS);
            assertThat(critical.statusCode()).isEqualTo(200);
            HttpResponse<String> evicted = batch.get(10, TimeUnit.SECONDS);
            assertThat(evicted.statusCode()).isEqualTo(200); // the stream had started
            assertThat(evicted.body()).contains("\"code\":\"rate_limit_exceeded\"").contains("make room");
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.cancelledStreams.get() == 1);
        }
    }

    @Test
    void aScrapeBlackoutStallsNothing() throws Exception {
        try (FakeModelServer a = new FakeModelServer("a");
             FakeModelServer b = new FakeModelServer("b");
             GatewayHarness gw = GatewayHarness.start(yaml(List.of(a.address(), b.address()),
                     "utilization-detector", ""))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> gw.post("/v1/completions",
                    "{\"model\":\"m\",\"prompt\":\"warm\"}").statusCode() == 200);
            List<Long> latenciesMs = new ArrayList<>();
            List<Integer> statuses = new ArrayList<>();
            long end = System.nanoTime() + Duration.ofSeconds(6).toNanos();
            long blackoutFrom = System.nanoTime() + Duration.ofMillis(500).toNanos();
            boolean down = false;
            while (System.nanoTime() < end) {
                if (!down && System.nanoTime() > blackoutFrom) {
                    a.metricsDown = true;
                    b.metricsDown = true;
                    down = true;
                }
                long t0 = System.nanoTime();
                statuses.add(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\"}").statusCode());
                latenciesMs.add((System.nanoTime() - t0) / 1_000_000);
                Thread.sleep(20);
            }
            assertThat(statuses).containsOnly(200);
            assertThat(latenciesMs).allMatch(ms -> ms < 1000);
            assertThat(controller(gw).snapshot().failedOpen()).isTrue();
            assertThat(gw.metricsPage()).contains("jetway_flow_control_failed_open{inference_pool=\"p\"} 1.0")
                    .contains("llm_d_epp_flow_control_stale_endpoints{inference_pool=\"p\"} 2.0");
        }
    }
}
