package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jetway gateway} as its own process in front of simulated replicas, stopped with SIGTERM (what Kubernetes
 * sends; {@link Process#destroy()}) while 30 streams run: the streams finish, the process exits 0; with a short
 * drain time the streams still running are ended by an SSE error event, never cut silently.
 */
class GatewayDrainTest {

    private static final Pattern BANNER = Pattern.compile("jetway gateway on http://[^:]+:(\\d+)/v1 "
            + "\\(metrics on port (\\d+)\\)");
    private static final int STREAMS = 30;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void sigtermLetsRunningStreamsFinishAndExitsZero(@TempDir Path dir) throws Exception {
        try (SimCluster sim = SimCluster.start(SimOptions.defaults("m").withPort(0), 2)) {
            GatewayProcess gw = GatewayProcess.start(dir, sim);
            try {
                List<Stream30.Result> results = new Stream30(http, gw.uri("/v1/completions"), 120).open();
                gw.process.destroy(); // SIGTERM
                // draining: not ready, and new requests are refused, while the streams run on
                assertThat(gw.readyOnceStopped()).isIn(503, -1);
                assertThat(gw.newRequestStatus()).isIn(503, -1);
                for (Stream30.Result r : results) {
                    String body = r.body().get(60, TimeUnit.SECONDS);
                    assertThat(body).as("a stream that ran on to its end").endsWith("data: [DONE]");
                    assertThat(body).doesNotContain("\"error\"");
                }
                assertThat(gw.process.waitFor(30, TimeUnit.SECONDS)).as("the gateway exited").isTrue();
                assertThat(gw.process.exitValue()).isZero();
                assertThat(gw.log()).contains("drained: every request finished")
                        .doesNotContain("dropped the connection mid-response");
            } finally {
                gw.kill();
            }
        }
    }

    @Test
    void streamsStillRunningAtTheDrainDeadlineEndWithAnErrorEvent(@TempDir Path dir) throws Exception {
        try (SimCluster sim = SimCluster.start(SimOptions.defaults("m").withPort(0), 2)) {
            GatewayProcess gw = GatewayProcess.start(dir, sim, "--drain-timeout", "1s");
            try {
                // long streams (minutes of tokens): none can finish in a second
                List<Stream30.Result> results = new Stream30(http, gw.uri("/v1/completions"), 20_000).open();
                long stopped = System.nanoTime();
                gw.process.destroy();
                for (Stream30.Result r : results) {
                    String body = r.body().get(30, TimeUnit.SECONDS);
                    assertThat(body).as("a stream stopped at the deadline ends with an error event")
                            .doesNotContain("[DONE]")
                            .containsPattern("data: \\{\"error\":\\{\"message\":\"the gateway shut down: [^\"]*drain "
                                    + "time \\(1000 ms\\) ran out\",\"type\":\"service_unavailable\",\"param\":null,"
                                    + "\"code\":\"shutting_down\"}}$");
                }
                assertThat(gw.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(gw.process.exitValue()).isZero();
                assertThat(Duration.ofNanos(System.nanoTime() - stopped)).as("drain time plus a little")
                        .isLessThan(Duration.ofSeconds(15));
                assertThat(gw.log()).contains("drain time (1000 ms) ran out with " + STREAMS);
            } finally {
                gw.kill();
            }
        }
    }

    /** 30 concurrent streams, each on its own connection, all producing tokens before {@link #open} returns. */
    private record Stream30(HttpClient http, URI uri, int maxTokens) {

        record Result(CompletableFuture<String> body) {
        }

        List<Result> open() throws Exception {
            String json = "{\"model\":\"m\",\"prompt\":\"tell me a long story\",\"stream\":true,\"max_tokens\":"
                    + maxTokens + ",\"ignore_eos\":true}";
            CountDownLatch flowing = new CountDownLatch(STREAMS);
            List<Result> results = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                CompletableFuture<String> body = new CompletableFuture<>();
                results.add(new Result(body));
                Thread.ofVirtual().start(() -> {
                    try {
                        HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(uri)
                                .header("content-type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                                HttpResponse.BodyHandlers.ofInputStream());
                        StringBuilder events = new StringBuilder();
                        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(),
                                StandardCharsets.UTF_8))) {
                            String line;
                            boolean first = true;
                            while ((line = in.readLine()) != null) {
                                if (line.isEmpty()) {
                                    continue;
                                }
                                if (first) {
                                    first = false;
                                    flowing.countDown();
                                }
                                events.append(events.isEmpty() ? "" : "\n").append(line);
                            }
                        }
                        body.complete(events.toString());
                    } catch (Exception e) {
                        body.complete("failed: " + e);
                        flowing.countDown();
                    }
                });
            }
            assertThat(flowing.await(30, TimeUnit.SECONDS)).as("all streams started").isTrue();
            for (Result r : results) {
                assertThat(r.body().getNow("running")).as("no stream failed before the stop").doesNotStartWith("failed");
            }
            return results;
        }
    }

    /** The {@code jetway gateway} command in a JVM of its own (this test's class path), output in files. */
    private record GatewayProcess(Process process, Path out, Path err, int port, int adminPort) {

        static GatewayProcess start(Path dir, SimCluster sim, String... extra) throws Exception {
            Path yaml = dir.resolve("jetway.yaml");
            Files.writeString(yaml, "pools:\n  - name: p\n    models: [m]\n    endpoints:\n"
                    + sim.replicas().stream().map(r -> "      - {address: \"127.0.0.1:" + r.httpPort() + "\"}")
                    .collect(Collectors.joining("\n")) + "\n");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString(), "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "gateway", "--config", yaml.toString(), "--port", "0", "--admin-port", "0"));
            cmd.addAll(List.of(extra));
            Path out = dir.resolve("gateway.out");
            Path err = dir.resolve("gateway.err");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Matcher m;
            while (!(m = BANNER.matcher(Files.readString(out))).find()) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new AssertionError("jetway gateway did not start: " + Files.readString(err));
                }
                Thread.sleep(50);
            }
            GatewayProcess gw = new GatewayProcess(p, out, err, Integer.parseInt(m.group(1)),
                    Integer.parseInt(m.group(2)));
            gw.awaitReady();
            return gw;
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        private void awaitReady() throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (adminStatus("/ready") != 200) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("gateway not ready: " + log());
                }
                Thread.sleep(50);
            }
        }

        /** The admin port's answer, or -1 when it no longer takes connections (the process is gone). */
        int adminStatus(String path) throws InterruptedException {
            try (HttpClient c = HttpClient.newHttpClient()) {
                return c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                return -1;
            }
        }

        /** A new request on a new connection: refused (-1) once the listener is closed, or 503. */
        int newRequestStatus() throws InterruptedException {
            try (HttpClient c = HttpClient.newHttpClient()) {
                return c.send(HttpRequest.newBuilder(uri("/v1/completions")).timeout(Duration.ofSeconds(5))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"x\"}")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                return -1; // ConnectException: the listener is closed
            }
        }

        /** {@code /ready} once the signal has been taken: 503 while draining, -1 if already gone. */
        int readyOnceStopped() throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            int status;
            while ((status = adminStatus("/ready")) == 200 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            return status;
        }

        String log() throws IOException {
            return Files.readString(err);
        }

        void kill() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
