package dev.jetway.gateway.outlier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Outlier ejection, active health checks and the adaptive first-byte deadline, end to end: a gateway on real sockets
 * in front of fake model servers that turn into a black hole (healthy {@code /metrics}, no answer), an always-503
 * server, a hung engine (a stream's head, then nothing) or a replica crawling at one token per 300 ms.
 */
class OutlierEjectionTest {

    /** The shortest first-byte deadline; the fakes answer in about a millisecond, so every deadline is this. */
    private static final long FLOOR_MS = 500;

    private final List<FakeModelServer> servers = new ArrayList<>();
    private GatewayHarness gw;

    @AfterEach
    void stop() throws Exception {
        if (gw != null) {
            gw.close();
        }
        for (FakeModelServer s : servers) {
            s.close();
        }
    }

    private FakeModelServer server(String name) throws Exception {
        FakeModelServer s = new FakeModelServer(name);
        servers.add(s);
        return s;
    }

    /**
     * One pool on the default policy (it predicts TTFT, so deadlines adapt), firstByteTimeout left at its 300 s,
     * ejections short enough to watch endpoints come back.
     */
    @Test
    void aRequestQueuedBehindStreamsIsNotAbandonedAtItsPredictedDeadlineWhileItsEndpointAnswersOthers()
            throws Exception {
        // One endpoint, busy: a long stream runs on it while the next request waits in its queue (here: no head).
        // The predicted deadline (the floor, 500 ms) passes long before the stream ends; leaving then would throw
        // the request's place away. It must wait while the endpoint streams to others, and give up only once the
        // endpoint is silent to everybody.
        FakeModelServer busy = server("busy");
        busy.streamChunks = 40;
        busy.chunkDelayMillis = 100; // a 4 s stream
        gw = GatewayHarness.start(yaml(null, List.of(busy))).awaitInRotation(1);
        var running = gw.http.sendAsync(HttpRequest.newBuilder(gw.uri("/v1/completions"))
                .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(completion(1, true))).build(),
                HttpResponse.BodyHandlers.ofString());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> busy.completionRequests.get() == 1);
        Thread.sleep(300); // the stream is flowing (a test wait for the first chunks, not a timing assertion)
        busy.mode = FakeModelServer.Mode.STALL_BEFORE_HEAD;
        long t0 = System.nanoTime();
        HttpResponse<String> queued = post(completion(2, false));
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        HttpResponse<String> stream = running.get();
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.body()).contains("[DONE]");
        // the endpoint never answered it (the fake stalls), so it ends in a 504 — but only after the stream ended,
        // not at the 500 ms predicted deadline
        assertThat(queued.statusCode()).isEqualTo(504);
        assertThat(waitedMs).as(queued.body()).isGreaterThan(2_500);
    }

    private static String yaml(String policy, List<FakeModelServer> endpoints) {
        return yaml(policy, "", endpoints);
    }

    private static String yaml(String policy, String upstreamExtra, List<FakeModelServer> endpoints) {
        return "server: {port: 0, adminPort: 0, host: 127.0.0.1}\nsecurity: {debugRequests: true}\n"
                + "upstream: {connectTimeout: 500ms, retryBackoff: 1ms, minFirstByteTimeout: " + FLOOR_MS + "ms"
                + upstreamExtra + "}\n"
                + "dataLayer: {scrapeInterval: 20ms, scrapeTimeout: 3s}\n"
                + "pools:\n  - name: p\n    models: [m]\n"
                + (policy == null ? "" : "    endpointPicker: " + policy + "\n")
                + "    outlierDetection: {interval: 1s, baseEjectionTime: 2s, tpotOutlierMin: 200ms}\n"
                + "    healthCheck: {interval: 1s, unhealthyInterval: 100ms, timeout: 300ms}\n"
                + "    endpoints:\n" + endpoints.stream().map(s -> "      - {address: \"" + s.address() + "\"}")
                .collect(Collectors.joining("\n")) + "\n";
    }

    private HttpResponse<String> post(String json) throws Exception {
        return gw.http.send(HttpRequest.newBuilder(gw.uri("/v1/completions")).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").header("x-jetway-debug", "1")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String completion(int i, boolean stream) {
        return "{\"model\":\"m\",\"prompt\":\"request " + i + "\",\"max_tokens\":5,\"stream\":" + stream + "}";
    }

    private static String metric(String page, String name, String endpoint, String extra) {
        for (String line : page.split("\n")) {
            if (line.startsWith(name + "{") && line.contains("model_server_endpoint=\"" + endpoint + "\"")
                    && line.contains(extra)) {
                return line.substring(line.lastIndexOf(' ') + 1);
            }
        }
        return null;
    }

    @Test
    void aBlackHoleAndAnAlways503ReplicaAreEjectedWhileEveryClientIsServedInTimeThenBothComeBack() throws Exception {
        FakeModelServer good = server("good");
        FakeModelServer hole = server("hole");
        FakeModelServer failing = server("failing");
        gw = GatewayHarness.start(yaml(null, List.of(good, hole, failing))).awaitInRotation(3);
        // both go bad while in rotation; their /metrics stay healthy
        hole.mode = FakeModelServer.Mode.STALL_BEFORE_HEAD;
        failing.mode = FakeModelServer.Mode.FAIL_503;

        long slowest = 0;
        int holeBefore = -1;
        int failingBefore = -1;
        for (int i = 0; i < 40; i++) {
            if (i == 20) {
                holeBefore = hole.completionRequests.get();
                failingBefore = failing.completionRequests.get();
            }
            long t0 = System.nanoTime();
            HttpResponse<String> r = post(completion(i, false));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            slowest = Math.max(slowest, ms);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-jetway-endpoint")).hasValue(good.address());
            // the black hole costs an attempt at most the adaptive deadline, never the flat 300 s firstByteTimeout
            assertThat(ms).as("request %d", i).isLessThan(FLOOR_MS + 2_500);
        }
        // both were tried and failed a few times, then got nothing more
        assertThat(hole.completionRequests.get()).isLessThanOrEqualTo(6);
        assertThat(failing.completionRequests.get()).isLessThanOrEqualTo(6);
        assertThat(hole.completionRequests.get()).isEqualTo(holeBefore);
        assertThat(failing.completionRequests.get()).isEqualTo(failingBefore);

        String page = gw.metricsPage();
        assertThat(metric(page, "jetway_endpoint_ejections_total", hole.address(),
                "reason=\"consecutive_gateway_failure\"")).isEqualTo("1.0");
        assertThat(metric(page, "jetway_endpoint_ejections_total", failing.address(),
                "reason=\"consecutive_gateway_failure\"")).isEqualTo("1.0");
        assertThat(metric(page, "jetway_endpoint_ejected", hole.address(), "")).isEqualTo("1.0");
        assertThat(metric(page, "jetway_endpoint_ejected", good.address(), "")).isEqualTo("0.0");
        assertThat(page).contains("jetway_upstream_errors_total{kind=\"first_byte_timeout\"}");
        assertThat(gw.endpointsView()).contains("\"address\":\"" + hole.address() + "\",\"inRotation\":false");
        HttpResponse<String> debug = post(completion(99, false));
        assertThat(debug.headers().firstValue("x-jetway-decision").orElseThrow())
                .contains(hole.address() + " (ejected: consecutive_gateway_failure)")
                .contains("first-byte deadline " + FLOOR_MS + " ms");
        // the ejection is over after 2 s, but their checks keep failing: still out
        Thread.sleep(2_500);
        assertThat(gw.inRotation()).isEqualTo(1);

        // they behave again: each is re-admitted at its next passed check, and takes traffic
        hole.mode = FakeModelServer.Mode.OK;
        failing.mode = FakeModelServer.Mode.OK;
        gw.awaitInRotation(3);
        int holeEjected = holeBefore;
        int failingEjected = failingBefore;
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            post(completion((int) (Math.random() * 1e6), false));
            return hole.completionRequests.get() > holeEjected && failing.completionRequests.get() > failingEjected;
        });
        assertThat(metric(gw.metricsPage(), "jetway_endpoint_ejected", hole.address(), "")).isEqualTo("0.0");
    }

    @Test
    void aStreamWhoseHeadComesWithoutTokensMovesToAnotherEndpointBeforeTheClientSeesAnything() throws Exception {
        FakeModelServer good = server("good");
        FakeModelServer hung = server("hung");
        gw = GatewayHarness.start(yaml(null, List.of(good, hung))).awaitInRotation(2);
        hung.mode = FakeModelServer.Mode.STALL_AFTER_HEAD;
        for (int i = 0; i < 60 && !"1.0".equals(metric(gw.metricsPage(), "jetway_endpoint_ejected", hung.address(),
                "")); i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = post(completion(i, true));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-jetway-endpoint")).hasValue(good.address());
            assertThat(r.body()).contains(good.sseEvent(0)).endsWith("data: [DONE]\n\n");
            assertThat(ms).isLessThan(FLOOR_MS + 2_500);
        }
        assertThat(metric(gw.metricsPage(), "jetway_endpoint_ejected", hung.address(), "")).isEqualTo("1.0");
        assertThat(hung.completionRequests.get()).isBetween(1, 3);
        // the gateway hung up on each, so the engine would abort them
        await().atMost(Duration.ofSeconds(5)).until(() -> hung.cancelledStreams.get() == hung.completionRequests.get());
    }

    @Test
    void aReplicaStreamingOneTokenEvery300MsLosesItsTraffic() throws Exception {
        FakeModelServer a = server("a");
        FakeModelServer b = server("b");
        FakeModelServer slow = server("slow");
        slow.chunkDelayMillis = 300;
        gw = GatewayHarness.start(yaml("random", List.of(a, b, slow))).awaitInRotation(3);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                List<Future<HttpResponse<String>>> batch = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    int n = i;
                    batch.add(pool.submit(() -> post(completion(n, true))));
                }
                for (Future<HttpResponse<String>> f : batch) {
                    assertThat(f.get().statusCode()).isEqualTo(200);
                }
                return "1.0".equals(metric(gw.metricsPage(), "jetway_endpoint_ejected", slow.address(), ""));
            });
        } finally {
            pool.shutdownNow();
        }
        assertThat(metric(gw.metricsPage(), "jetway_endpoint_ejections_total", slow.address(),
                "reason=\"tpot_outlier\"")).isEqualTo("1.0");
        assertThat(gw.endpointsView()).contains("\"ejectionReason\":\"tpot_outlier\"");
        int before = slow.completionRequests.get();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = post(completion(i, true));
            assertThat(r.headers().firstValue("x-jetway-endpoint").orElseThrow()).isNotEqualTo(slow.address());
        }
        assertThat(slow.completionRequests.get()).isEqualTo(before);
    }

    @Test
    void anEndpointAReloadAddsTakesNoTrafficUntilItPassesItsFirstCheck() throws Exception {
        FakeModelServer good = server("good");
        FakeModelServer fresh = server("fresh");
        fresh.mode = FakeModelServer.Mode.STALL_BEFORE_HEAD; // healthy /metrics, answers nothing
        gw = GatewayHarness.start(yaml("random", List.of(good))).awaitInRotation(1);
        gw.server.reload(ConfigLoader.parse(yaml("random", List.of(good, fresh)), "reload"));
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = post(completion(i, false));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-jetway-endpoint")).hasValue(good.address());
        }
        assertThat(fresh.completionRequests.get()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> fresh.healthChecks.get() >= 2);
        assertThat(gw.endpointsView()).contains("\"address\":\"" + fresh.address() + "\",\"inRotation\":false")
                .contains("no answer within 300 ms");
        assertThat(Double.parseDouble(metric(gw.metricsPage(), "jetway_endpoint_health_checks_total",
                fresh.address(), "result=\"failed\""))).isPositive();

        fresh.mode = FakeModelServer.Mode.OK;
        gw.awaitInRotation(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            post(completion(7, false));
            return fresh.completionRequests.get() > 0;
        });
    }

    @Test
    void withThePoolsRetryBudgetSpentAFailedAttemptIsTheAnswer() throws Exception {
        FakeModelServer good = server("good");
        FakeModelServer failing = server("failing");
        gw = GatewayHarness.start(yaml("random", ", retryBudgetPercent: 0, minRetryConcurrency: 0",
                List.of(good, failing))).awaitInRotation(2);
        failing.mode = FakeModelServer.Mode.FAIL_503;
        int refused = 0;
        for (int i = 0; i < 50 && failing.completionRequests.get() == 0; i++) {
            HttpResponse<String> r = post(completion(i, false));
            if (r.statusCode() == 503) {
                refused++;
                assertThat(r.body()).contains("engine dead"); // the server's own answer, passed through
            } else {
                assertThat(r.headers().firstValue("x-jetway-endpoint")).hasValue(good.address());
            }
        }
        assertThat(refused).isEqualTo(1);
        String page = gw.metricsPage();
        assertThat(page).contains("jetway_pool_retries_refused_total{name=\"p\"} 1.0").contains("jetway_retries_total 0.0");
    }

    @Test
    void aRequestThatCouldNotConnectIsRetriedOutsideTheBudget() throws Exception {
        // A replica that just died still looks idle to the scheduler until it leaves rotation; the requests sent to it
        // meanwhile never reached anyone, so their retries cost no replica anything and need no place in the budget.
        FakeModelServer good = server("good");
        FakeModelServer dead = server("dead");
        gw = GatewayHarness.start(yaml("random", ", retryBudgetPercent: 0, minRetryConcurrency: 0",
                List.of(good, dead))).awaitInRotation(2);
        dead.close(); // connection refused from now on
        int tried = 0;
        for (int i = 0; i < 40; i++) {
            HttpResponse<String> r = post(completion(i, false));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-jetway-endpoint")).hasValue(good.address());
            tried = (int) Double.parseDouble(gw.metricsPage().lines()
                    .filter(l -> l.startsWith("jetway_retries_total ")).findFirst().orElseThrow().split(" ")[1]);
        }
        assertThat(tried).as("requests first sent to the dead replica, then retried").isPositive();
        assertThat(gw.metricsPage()).contains("jetway_pool_retries_refused_total{name=\"p\"} 0.0");
    }

    @Test
    void adminViewListsEveryEndpoint() throws Exception {
        FakeModelServer a = server("a");
        gw = GatewayHarness.start(yaml("random", List.of(a))).awaitInRotation(1);
        HttpResponse<String> r = gw.get(URI.create("http://127.0.0.1:" + gw.server.adminPort() + "/endpoints"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).contains("\"name\":\"p\"", "\"address\":\"" + a.address() + "\"", "\"checked\":true",
                "\"ejected\":false", "\"lastCheck\":\"passed ");
        assertThat(a.healthChecks.get()).isPositive();
        assertThat(a.completionRequests.get()).isZero();
        // a reload that rebuilds the endpoint (new upstream settings) keeps its standing and its series
        gw.server.reload(ConfigLoader.parse(yaml("random", List.of(a)).replace("connectTimeout: 500ms",
                "connectTimeout: 600ms"), "reload"));
        assertThat(gw.inRotation()).isEqualTo(1);
        assertThat(metric(gw.metricsPage(), "jetway_endpoint_ejected", a.address(), "")).isEqualTo("0.0");
    }
}
