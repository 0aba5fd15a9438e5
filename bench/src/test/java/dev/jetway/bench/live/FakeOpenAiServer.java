package dev.jetway.bench.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny OpenAI-compatible streaming server for tests: waits {@code firstTokenMillis}, then streams
 * {@code max_tokens} one-word chunks {@code tokenMillis} apart, a usage chunk (cached tokens = half the prompt) and
 * {@code [DONE]}. A request for 13 tokens gets a 503 with an OpenAI error body; a request of the objective
 * {@code batch} (header {@code x-llm-d-inference-objective}) a 429 with {@code x-llm-d-request-dropped-reason:
 * rejected-saturated}, as a gateway shedding sheddable traffic answers. With {@code serial} it handles one request at
 * a time, like an overloaded server with a queue.
 */
final class FakeOpenAiServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final long firstTokenMillis;
    private final long tokenMillis;
    private final java.util.concurrent.Semaphore oneAtATime;
    final AtomicInteger requests = new AtomicInteger();
    volatile JsonNode lastBody;
    /** When set, answers as a Jetway gateway does: naming the replica that served it, two replicas in turn. */
    volatile boolean namesEndpoints;
    /** Per request received, its headers (names lower-cased, first value). */
    final java.util.Queue<java.util.Map<String, String>> headers = new java.util.concurrent.ConcurrentLinkedQueue<>();

    FakeOpenAiServer(long firstTokenMillis, long tokenMillis, boolean serial) throws IOException {
        this.firstTokenMillis = firstTokenMillis;
        this.tokenMillis = tokenMillis;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        executor = Executors.newVirtualThreadPerTaskExecutor();
        oneAtATime = serial ? new java.util.concurrent.Semaphore(1, true) : null;
        server.setExecutor(executor);
        server.createContext("/v1/completions", this::handle);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        if (oneAtATime == null) {
            serve(exchange);
            return;
        }
        oneAtATime.acquireUninterruptibly();
        try {
            serve(exchange);
        } finally {
            oneAtATime.release();
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        long seq = requests.incrementAndGet(); // this request's own number: a later get() races with others
        java.util.Map<String, String> received = new java.util.HashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> received.put(k.toLowerCase(java.util.Locale.ROOT), v.getFirst()));
        headers.add(received);
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        lastBody = body;
        if ("batch".equals(received.get("x-llm-d-inference-objective"))) {
            byte[] error = "{\"error\":{\"message\":\"pool saturated\",\"type\":\"rate_limit_error\",\"code\":429}}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("x-llm-d-request-dropped-reason", "rejected-saturated");
            exchange.sendResponseHeaders(429, error.length);
            exchange.getResponseBody().write(error);
            exchange.close();
            return;
        }
        String prompt = body.path("prompt").asText();
        if (body.path("max_tokens").asInt() == 13) {
            byte[] error = "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\",\"param\":null,\"code\":503}}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(503, error.length);
            exchange.getResponseBody().write(error);
            exchange.close();
            return;
        }
        int maxTokens = body.path("max_tokens").asInt();
        int promptTokens = prompt.split(" ").length - 1;
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        if (namesEndpoints) {
            exchange.getResponseHeaders().set("x-jetway-endpoint", "127.0.0.1:" + (9001 + seq % 2));
        }
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            sleep(firstTokenMillis);
            for (int i = 0; i < maxTokens; i++) {
                if (i > 0) {
                    sleep(tokenMillis);
                }
                write(out, "data: {\"choices\":[{\"index\":0,\"text\":\" the\",\"finish_reason\":null}]}\n\n");
            }
            write(out, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":"
                    + maxTokens + ",\"prompt_tokens_details\":{\"cached_tokens\":" + promptTokens / 2 + "}}}\n\n");
            write(out, "data: [DONE]\n\n");
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis); // the fake server's service time, not a test wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
