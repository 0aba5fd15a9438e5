package dev.jetway.gateway.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code tokenizer: engine} is bounded in memory and in latency: thousands of distinct long prompts keep its cache
 * under {@code cacheBytes} (it used to hold 10,000 prompts whatever their size: 3,000 of 100 KB took the heap from 13
 * to 488 MB), and a model server that does not answer {@code /tokenize} costs one timeout, then nothing while the
 * tokenizer backs off; the requests are routed with the estimate meanwhile. The long run is tagged {@code heap-512m}:
 * gateway/pom.xml runs it in a JVM of its own with {@code -Xmx512m -XX:+ExitOnOutOfMemoryError} (the gateway, the
 * simulator answering {@code /tokenize} and the clients all share that heap), the bound the issue was measured with.
 */
class EngineTokenizerBoundsTest {

    private static final long CACHE_BYTES = 8L * 1024 * 1024;

    private static String yaml(FakeModelServer backend, String tokenizerUrl, String extra) {
        return GatewayHarness.yaml("random", "", List.of(backend.address()))
                .replace("server: {port: 0,", "server: {maxBodyBytes: 1048576, port: 0,")
                + "    tokenizer: engine\n    engineTokenizer: {url: \"" + tokenizerUrl + "\", model: sim-model, "
                + extra + "}\n";
    }

    @Test
    @Tag("heap-512m")
    void threeThousandDistinctLongPromptsStayWithinTheCachesBytes() throws Exception {
        assertThat(Runtime.getRuntime().maxMemory()).as("run by gateway/pom.xml's heap-512m execution, -Xmx512m")
                .isLessThanOrEqualTo(512L * 1024 * 1024);
        try (SimCluster sim = SimCluster.start(SimOptions.defaults("sim-model").withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100"), 1);
             FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(yaml(backend, sim.replicas().getFirst().baseUrl(),
                     "timeout: 20s, cacheBytes: " + CACHE_BYTES))) {
            backend.keepRequests = false; // 3,000 bodies of 100 KB: not the gateway's memory
            RemoteTokenizer tokenizer = (RemoteTokenizer) gw.server.routing().table().pools().getFirst().tokenizer();
            long fallbacksBefore = RemoteTokens.failures();
            long heapBefore = heapAfterGc();
            String filler = " lorem ipsum dolor sit amet".repeat(100_000 / 27 + 1).substring(0, 100_000);
            AtomicLong maxWeight = new AtomicLong();
            List<Future<Integer>> statuses = new ArrayList<>();
            try (ExecutorService clients = Executors.newFixedThreadPool(4)) {
                for (int i = 0; i < 3000; i++) {
                    String prompt = "prompt " + i + filler;
                    statuses.add(clients.submit(() -> {
                        HttpResponse<String> r = gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"" + prompt
                                + "\",\"max_tokens\":1}");
                        maxWeight.accumulateAndGet(tokenizer.cacheWeight(), Math::max);
                        return r.statusCode();
                    }));
                }
                for (Future<Integer> s : statuses) {
                    assertThat(s.get()).isEqualTo(200);
                }
            }
            assertThat(RemoteTokens.failures()).as("every prompt was tokenized by the engine")
                    .isEqualTo(fallbacksBefore);
            // while callers add entries at once, the weight may pass the bound by those entries until they evict
            assertThat(maxWeight.get()).as("the cache's weight at its highest").isPositive()
                    .isLessThanOrEqualTo(CACHE_BYTES + 4 * 256 * 1024);
            assertThat(tokenizer.cacheWeight()).isLessThanOrEqualTo(CACHE_BYTES);
            // 3,000 prompts of ~20,000 ids each would be ~240 MB of ids alone (plus the prompts as keys, before)
            long grown = heapAfterGc() - heapBefore;
            assertThat(grown).as("heap kept after the run, bytes").isLessThan(100L * 1024 * 1024);
            assertThat(gw.metricsPage()).containsPattern("jetway_engine_tokenizer_cache_bytes [1-9]");
            assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"still serving\"}").statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void aTokenizerThatNeverAnswersCostsOneTimeoutThenIsSkippedWhileItBacksOff() throws Exception {
        try (ServerSocket blackHole = new ServerSocket(0);
             FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(yaml(backend, "http://127.0.0.1:" + blackHole.getLocalPort(),
                     "timeout: 300ms"))) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        accepted.add(blackHole.accept()); // and never answer
                    }
                } catch (java.io.IOException e) {
                    // closed
                }
            });
            long timeoutsBefore = RemoteTokens.fallbacks(RemoteTokenizer.Failure.TIMEOUT);
            long skippedBefore = RemoteTokens.fallbacks(RemoteTokenizer.Failure.BACKING_OFF);
            long t0 = System.nanoTime();
            assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"first\"}").statusCode()).isEqualTo(200);
            Duration first = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(first).as("the first request waits out the timeout").isBetween(Duration.ofMillis(250),
                    Duration.ofSeconds(5));
            t0 = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                assertThat(gw.post("/v1/completions", "{\"model\":\"m\",\"prompt\":\"next " + i + "\"}").statusCode())
                        .isEqualTo(200);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("five more while it backs off: no waiting")
                    .isLessThan(Duration.ofMillis(250));
            assertThat(RemoteTokens.fallbacks(RemoteTokenizer.Failure.TIMEOUT) - timeoutsBefore).isEqualTo(1);
            assertThat(RemoteTokens.fallbacks(RemoteTokenizer.Failure.BACKING_OFF) - skippedBefore).isEqualTo(5);
            assertThat(gw.metricsPage()).containsPattern(
                    "jetway_engine_tokenizer_fallbacks_total\\{reason=\"timeout\"} [1-9]");
            blackHole.close();
            acceptor.join();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
