package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.http.GatewayServer;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The chaos test of request migration (docs/operations.md, "Request migration"): three {@code jetway sim} replicas
 * as separate processes behind the gateway, 40 concurrent streams (completions and chat) asking for a fixed number of
 * tokens, and one replica killed ({@code destroyForcibly}, SIGKILL) while every stream is running. Requests sent just
 * after the kill must all be served; with migration every stream must complete with exactly the requested tokens and
 * one {@code [DONE]}, without it the dead replica's streams must end with a clean error event. With migration the
 * dead replica must then be ejected by outlier detection (its cut streams are gateway failures), and when a new
 * {@code jetway sim} listens on its port again it must pass a health check, come back into rotation and take new
 * requests (docs/operations.md, "Outlier ejection and health checks").
 */
class MigrationChaosTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SERVING = Pattern.compile("serving m at http://127\\.0\\.0\\.1:(\\d+)");
    private static final int STREAMS = 40;
    private static final int LATE = 10;
    /** About 30 ms a token on the A100 profile: every stream runs for seconds, long enough to be cut. */
    private static final int MAX_TOKENS = 150;

    private final List<Process> replicas = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private GatewayServer gateway;
    private HttpClient http;

    @AfterEach
    void stop() {
        if (http != null) {
            http.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        for (Process p : replicas) {
            p.destroyForcibly();
        }
    }

    @Test
    void withMigrationEveryStreamCompletesWithTheRequestedTokensAndTheDeadReplicaComesBack() throws Exception {
        // a short ejection: the dead replica stays ejected until a check passes anyway, this only spares the wait
        // once it is back (the default 30 s)
        Run run = chaos("outlierDetection: {baseEjectionTime: 2s}");
        assertThat(run.cut()).as("streams that were running on the killed replica").isPositive();
        for (Stream s : run.all()) {
            s.assertComplete();
        }
        String page = metrics();
        assertThat(counter(page, "resumed")).isGreaterThanOrEqualTo(run.cut());
        for (String failed : List.of("leg_failed", "rejected", "limit_reached", "no_endpoint", "not_migratable",
                "disabled")) {
            assertThat(counter(page, failed)).as(failed).isZero();
        }
        ejectedThenReadmittedWhenBack(run.killed());
    }

    @Test
    void withoutMigrationTheDeadReplicasStreamsEndWithACleanErrorEvent() throws Exception {
        Run run = chaos("migrationLimit: 0");
        assertThat(run.cut()).isPositive();
        for (Stream s : run.streams()) {
            if (s.endpoint().equals(run.killed()) && s.endedAfter(run.killedAtNanos())) {
                s.assertEndsWithErrorEvent();
            } else {
                s.assertComplete();
            }
        }
        for (Stream s : run.late()) {
            s.assertComplete(); // not started when the replica died: served elsewhere
        }
        assertThat(counter(metrics(), "disabled")).isEqualTo(run.cut());
    }

    /**
     * The killed replica is ejected (its cut streams were gateway failures in a row) and stays out while it is down;
     * a new replica on its port passes a health check and comes back into rotation.
     */
    private void ejectedThenReadmittedWhenBack(String killed) throws Exception {
        waitUntil(() -> standing(killed).path("ejected").asBoolean(), "the killed replica " + killed + " ejected");
        JsonNode down = standing(killed);
        assertThat(down.path("inRotation").asBoolean()).as(down.toString()).isFalse();
        assertThat(down.path("ejectionReason").asText()).as(down.toString()).isEqualTo("consecutive_gateway_failure");
        assertThat(ejectedGauge(metrics(), killed)).isEqualTo(1.0);

        int port = Integer.parseInt(killed.substring(killed.lastIndexOf(':') + 1));
        assertThat(startReplica(port).get(90, TimeUnit.SECONDS)).isEqualTo(port);
        waitUntil(() -> {
            JsonNode s = standing(killed);
            return s.path("inRotation").asBoolean() && !s.path("ejected").asBoolean();
        }, "the restarted replica " + killed + " back in rotation", 60);
        assertThat(ejectedGauge(metrics(), killed)).isZero();
        // Whether new requests go there now is the scheduler's call, not re-admission's: its latency model still
        // predicts the replica as it was during the burst before the kill (it has had no response since), so on a
        // lightly loaded pool it may lose every decision for a while (docs/operations.md, "Request migration").
    }

    /** The admin port's {@code /endpoints} entry of {@code address}. */
    private JsonNode standing(String address) throws IOException, InterruptedException {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort()
                + "/endpoints")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        for (JsonNode e : JSON.readTree(body).path("pools").path(0).path("endpoints")) {
            if (e.path("address").asText().equals(address)) {
                return e;
            }
        }
        throw new AssertionError(address + " not in /endpoints: " + body);
    }

    private static double ejectedGauge(String page, String address) {
        Matcher m = Pattern.compile("(?m)^jetway_endpoint_ejected\\{[^}]*model_server_endpoint=\"" + Pattern.quote(address)
                + "\"[^}]*} (\\S+)$").matcher(page);
        assertThat(m.find()).as("jetway_endpoint_ejected of " + address + " in:\n" + page).isTrue();
        return Double.parseDouble(m.group(1));
    }

    // ---- the run ------------------------------------------------------------------------------------------------

    private record Run(List<Stream> streams, List<Stream> late, String killed, long killedAtNanos) {
        List<Stream> all() {
            List<Stream> all = new ArrayList<>(streams);
            all.addAll(late);
            return all;
        }

        /** Streams of the killed replica that were still running when it died. */
        long cut() {
            return streams.stream().filter(s -> s.endpoint().equals(killed) && s.endedAfter(killedAtNanos)).count();
        }
    }

    /** Starts three replicas and the gateway, runs the streams, kills one replica mid-run, waits for every answer. */
    private Run chaos(String poolExtra) throws Exception {
        List<CompletableFuture<Integer>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            starting.add(startReplica(0));
        }
        for (CompletableFuture<Integer> port : starting) {
            ports.add(port.get(90, TimeUnit.SECONDS));
        }
        StringBuilder yaml = new StringBuilder("""
                server: {port: 0, adminPort: 0, host: 127.0.0.1}
                pools:
                  - name: chaos
                    models: [m]
                    tokenizer: jetway-simple-v1
                """);
        // The replicas are jetway sim, whose tokenizer this is (jetway up sets it too): a continuation asks for exactly
        // the tokens not yet streamed. With the estimate, the default without KV events, a stream's tokens are counted
        // one per chunk, and the simulator sends several words in a chunk when it falls behind (docs/operations.md).
        if (!poolExtra.isEmpty()) {
            yaml.append("    ").append(poolExtra).append('\n');
        }
        yaml.append("    endpoints:\n");
        for (int port : ports) {
            yaml.append("      - {address: \"127.0.0.1:").append(port).append("\"}\n");
        }
        gateway = GatewayServer.start(ConfigLoader.parse(yaml.toString(), "chaos"), 2);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
        waitUntil(() -> metrics().contains("llm_d_epp_pool_ready_endpoints{name=\"chaos\"} 3.0"), "3 ready replicas");

        CountDownLatch started = new CountDownLatch(STREAMS);
        List<Stream> streams = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            streams.add(Stream.open(http, uri("/v1"), i, started));
        }
        assertThat(started.await(60, TimeUnit.SECONDS)).as("all streams running").isTrue();
        Thread.sleep(200);
        // the replica with the most streams running now (how the scheduler spread them is its business)
        String killed = streams.stream().filter(Stream::running)
                .collect(Collectors.groupingBy(Stream::endpoint, Collectors.counting())).entrySet().stream()
                .max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        int victim = ports.indexOf(Integer.parseInt(killed.substring(killed.lastIndexOf(':') + 1)));
        long killedAt = System.nanoTime();
        replicas.get(victim).destroyForcibly();
        // requests that had not started when the replica died: the gateway may still route some there
        List<Stream> late = new ArrayList<>();
        for (int i = 0; i < LATE; i++) {
            late.add(Stream.open(http, uri("/v1"), STREAMS + i, null));
        }
        for (Stream s : streams) {
            s.await();
        }
        for (Stream s : late) {
            s.await();
        }
        assertThat(streams).extracting(Stream::endpoint).contains(killed);
        Run run = new Run(streams, late, killed, killedAt);
        System.out.printf("chaos [%s]: %d streams, %d on the killed replica %s, %d of them cut by the kill%n",
                poolExtra, streams.size(), streams.stream().filter(s -> s.endpoint().equals(killed)).count(), killed, run.cut());
        System.out.printf("chaos: longest silence in a cut stream %d ms, in the others %d ms%n",
                streams.stream().filter(s -> s.endpoint().equals(killed) && s.endedAfter(killedAt))
                        .mapToLong(s -> s.longestGapNanos).max().orElse(0) / 1_000_000,
                streams.stream().filter(s -> !s.endpoint().equals(killed))
                        .mapToLong(s -> s.longestGapNanos).max().orElse(0) / 1_000_000);

        return run;
    }

    /**
     * {@code jetway sim} in a JVM of its own, as a user starts it, on {@code port} (0: any free one); completes with
     * its port once it serves.
     */
    private CompletableFuture<Integer> startReplica(int port) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "sim", "--model", "m", "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--profile", "qwen3-32b-a100-tp2")
                .redirectErrorStream(true).start();
        replicas.add(p);
        CompletableFuture<Integer> serving = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            StringBuilder seen = new StringBuilder();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) { // read to the end: a full pipe would stall the replica
                    Matcher m = SERVING.matcher(line);
                    if (m.find()) {
                        serving.complete(Integer.parseInt(m.group(1)));
                    } else if (!serving.isDone()) {
                        seen.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // the process went away
            }
            serving.completeExceptionally(new IllegalStateException("jetway sim exited before serving:\n" + seen));
        });
        return serving;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }

    private String metrics() throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static double counter(String page, String outcome) {
        Matcher m = Pattern.compile("(?m)^jetway_migrations_total\\{outcome=\"" + outcome + "\"} (\\S+)$").matcher(page);
        assertThat(m.find()).as(outcome).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitUntil(Check check, String what) throws Exception {
        waitUntil(check, what, 30);
    }

    private static void waitUntil(Check check, String what, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what);
            }
            Thread.sleep(50);
        }
    }

    /** One client stream: even ones are completions, odd ones chat; read incrementally on a virtual thread. */
    private static final class Stream {
        /** A generated token arrived (not only the role chunk). */
        private static final Pattern GENERATED = Pattern.compile("\"(text|content)\":\"[^\"]");
        private final boolean chat;
        private final String prompt;
        private final CompletableFuture<String> body = new CompletableFuture<>();
        private volatile String endpoint = "";
        private volatile int status;
        private volatile long endedNanos;
        /** The longest silence between two reads: for a migrated stream, the seam. */
        private volatile long longestGapNanos;

        private Stream(boolean chat, String prompt) {
            this.chat = chat;
            this.prompt = prompt;
        }

        static Stream open(HttpClient http, URI base, int i, CountDownLatch started) {
            boolean chat = i % 2 == 1;
            Stream s = new Stream(chat, "chaos question " + i + " about the weather in town " + (i * 7));
            String limits = "\"max_tokens\":" + MAX_TOKENS + ",\"ignore_eos\":true,\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true}";
            String json = chat
                    ? "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + s.prompt + "\"}]," + limits + "}"
                    : "{\"model\":\"m\",\"prompt\":\"" + s.prompt + "\"," + limits + "}";
            URI uri = URI.create(base + (chat ? "/chat/completions" : "/completions"));
            Thread.ofVirtual().start(() -> {
                try {
                    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(90))
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    s.status = r.statusCode();
                    s.endpoint = r.headers().firstValue("x-jetway-endpoint").orElse("");
                    StringBuilder text = new StringBuilder();
                    try (InputStream in = r.body()) {
                        byte[] buffer = new byte[8192];
                        int n;
                        boolean counted = false;
                        long lastRead = System.nanoTime();
                        while ((n = in.read(buffer)) >= 0) {
                            long now = System.nanoTime();
                            s.longestGapNanos = Math.max(s.longestGapNanos, now - lastRead);
                            lastRead = now;
                            text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                            if (!counted && started != null && GENERATED.matcher(text).find()) {
                                counted = true;
                                started.countDown();
                            }
                        }
                    }
                    s.endedNanos = System.nanoTime();
                    s.body.complete(text.toString());
                } catch (IOException | InterruptedException | RuntimeException e) {
                    s.body.completeExceptionally(e);
                }
            });
            return s;
        }

        void await() throws Exception {
            body.get(120, TimeUnit.SECONDS);
        }

        String endpoint() {
            return endpoint;
        }

        /** Its response head is here and its body has not ended. */
        boolean running() {
            return status != 0 && endedNanos == 0;
        }

        /** Whether the response ended after {@code nanos} (so it was running then). */
        boolean endedAfter(long nanos) {
            return endedNanos > nanos;
        }

        private List<String> events() throws Exception {
            List<String> out = new ArrayList<>();
            for (String event : body.get().split("\n\n")) {
                if (event.startsWith("data: ")) {
                    out.add(event.substring(6));
                }
            }
            return out;
        }

        /** A complete, well-formed stream: one id, one role chunk first (chat), the tokens asked for, one [DONE]. */
        void assertComplete() throws Exception {
            String raw = body.get();
            assertThat(status).as(raw).isEqualTo(200);
            List<String> events = events();
            assertThat(events).as(raw).isNotEmpty();
            assertThat(events.getLast()).as(raw).isEqualTo("[DONE]");
            assertThat(events.stream().filter("[DONE]"::equals)).as(raw).hasSize(1);
            StringBuilder text = new StringBuilder();
            List<String> ids = new ArrayList<>();
            int roles = 0;
            JsonNode usage = null;
            for (String e : events.subList(0, events.size() - 1)) {
                JsonNode chunk = JSON.readTree(e);
                assertThat(chunk.has("error")).as(raw).isFalse();
                ids.add(chunk.get("id").asText());
                for (JsonNode choice : chunk.get("choices")) {
                    JsonNode delta = choice.path("delta");
                    if (delta.has("role")) {
                        assertThat(ids).as("the role chunk comes first: " + raw).hasSize(1);
                        roles++;
                    }
                    text.append(chat ? delta.path("content").asText("") : choice.path("text").asText(""));
                }
                if (chunk.hasNonNull("usage")) {
                    usage = chunk.get("usage");
                }
            }
            assertThat(ids).as(raw).containsOnly(ids.getFirst());
            assertThat(roles).as(raw).isEqualTo(chat ? 1 : 0);
            assertThat(SimpleWordTokenizer.instance().count(text.toString())).as(raw).isEqualTo(MAX_TOKENS);
            assertThat(usage).as(raw).isNotNull();
            assertThat(usage.get("completion_tokens").asInt()).as(raw).isEqualTo(MAX_TOKENS);
            String rendered = chat ? "<|user|>\n" + prompt + "\n<|assistant|>\n" : prompt;
            int promptTokens = SimpleWordTokenizer.instance().count(rendered);
            assertThat(usage.get("prompt_tokens").asInt()).as(raw).isEqualTo(promptTokens);
            assertThat(usage.get("total_tokens").asInt()).as(raw).isEqualTo(promptTokens + MAX_TOKENS);
        }

        /** Whole events, then one terminal error event, then the end: never a silent cut, never a [DONE]. */
        void assertEndsWithErrorEvent() throws Exception {
            String raw = body.get();
            assertThat(raw).as(raw).endsWith("\n\n").doesNotContain("[DONE]");
            List<String> events = events();
            for (String e : events.subList(0, events.size() - 1)) {
                assertThat(JSON.readTree(e).has("error")).as(raw).isFalse();
            }
            JsonNode last = JSON.readTree(events.getLast());
            assertThat(last.path("error").path("message").asText()).as(raw).contains("mid-response");
        }
    }
}
