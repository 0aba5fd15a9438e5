package dev.jetway.gateway.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny, fully controllable HTTP/1.1 model server for failure-injection tests: plain sockets on virtual threads, so
 * it can answer 5xx, die mid-stream, stall, or notice a cancelled request exactly when a test wants it to. The
 * gateway's health checks ({@code x-jetway-health-check}) get the same treatment as any request (a black hole
 * swallows them too) but are counted apart, in {@link #healthChecks}, so the counters of client traffic stay exact.
 */
public final class FakeModelServer implements AutoCloseable {

    /** What completions requests get. */
    public enum Mode { OK, FAIL_500, FAIL_503, FAIL_400, DIE_MID_STREAM, DIE_BEFORE_HEAD, STALL_BEFORE_HEAD,
        STALL_MID_STREAM, ENDLESS_STREAM,
        /** A streamed answer's head, then nothing (a hung engine); other requests stall before the head. */
        STALL_AFTER_HEAD }

    /** When set, the body of every non-streamed 200 answer (e.g. a prefill answer with kv_transfer_params). */
    public volatile String jsonAnswer;

    public volatile Mode mode = Mode.OK;
    public volatile String metricsPage = "vllm:num_requests_waiting{model_name=\"m\"} 0\n"
            + "vllm:num_requests_running{model_name=\"m\"} 0\n"
            + "vllm:kv_cache_usage_perc{model_name=\"m\"} 0.0\n";
    public volatile boolean metricsDown;
    /** Further pages by path (an engine's status page, another metrics path): JSON when it starts with { or [. */
    public final Map<String, String> pages = new java.util.concurrent.ConcurrentHashMap<>();
    /** Requests for {@link #pages}, as "path body". */
    public final List<String> pageRequests = new CopyOnWriteArrayList<>();
    /** Close a kept-alive connection when its second completion request arrives, without answering it. */
    public volatile boolean closeReusedConnections;
    /** Header lines added to every completion response, each ending in CRLF (e.g. hop-by-hop ones a proxy must drop). */
    public volatile String responseHeaders = "";
    public volatile int streamChunks = 5;
    public volatile int chunkBytes = 0;
    public volatile long chunkDelayMillis = 0;
    public final AtomicInteger completionRequests = new AtomicInteger();
    /** Requests marked as the gateway's health checks (not in completionRequests, bodies or headers). */
    public final AtomicInteger healthChecks = new AtomicInteger();
    /** The headers of each health check. */
    public final List<Map<String, String>> healthCheckHeaders = new CopyOnWriteArrayList<>();
    public final AtomicInteger cancelledStreams = new AtomicInteger();
    public final java.util.concurrent.atomic.AtomicLong chunksSent = new java.util.concurrent.atomic.AtomicLong();
    /** False: completion requests are counted, not kept in {@link #bodies} and {@link #headers} (a long run's would
     * fill the heap). */
    public volatile boolean keepRequests = true;
    public final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    public final List<Map<String, String>> headers = new CopyOnWriteArrayList<>();
    private final String name;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    public FakeModelServer(String name) throws IOException {
        this.name = name;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("fake-accept-" + name).start(this::accept);
    }

    /** A model server speaking HTTPS with {@code tls}'s certificate; {@code needClientAuth}: clients must show one. */
    public FakeModelServer(String name, javax.net.ssl.SSLContext tls, boolean needClientAuth) throws IOException {
        this.name = name;
        var s = (javax.net.ssl.SSLServerSocket) tls.getServerSocketFactory().createServerSocket(0, 200,
                InetAddress.getLoopbackAddress());
        s.setNeedClientAuth(needClientAuth);
        this.server = s;
        Thread.ofVirtual().name("fake-accept-" + name).start(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    private void accept() {
        while (running) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            int served = 0;
            while (running) {
                String requestLine = line(in);
                if (requestLine == null || requestLine.isEmpty()) {
                    return;
                }
                Map<String, String> h = new HashMap<>();
                String l;
                while ((l = line(in)) != null && !l.isEmpty()) {
                    int c = l.indexOf(':');
                    h.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
                }
                int length = Integer.parseInt(h.getOrDefault("content-length", "0"));
                byte[] body = in.readNBytes(length);
                String path = requestLine.split(" ")[1];
                if (path.startsWith("/v1/") && !path.equals("/v1/models") && served++ > 0 && closeReusedConnections) {
                    return; // the race a keep-alive client loses: the server closed just as the request arrived
                }
                if (!respond(path, h, body, out, s)) {
                    return;
                }
            }
        } catch (IOException e) {
            // the peer went away
        } finally {
            sockets.remove(s);
        }
    }

    /** Returns false when the connection must close. */
    private boolean respond(String path, Map<String, String> h, byte[] body, OutputStream out, Socket s)
            throws IOException {
        if (path.equals("/metrics")) {
            if (metricsDown) {
                write(out, 500, "text/plain", "down");
            } else {
                write(out, 200, "text/plain; version=0.0.4", metricsPage);
            }
            return true;
        }
        String page = pages.get(path);
        if (page != null) {
            pageRequests.add(path + " " + new String(body, StandardCharsets.UTF_8));
            boolean json = page.startsWith("{") || page.startsWith("[");
            write(out, 200, json ? "application/json" : "text/plain; version=0.0.4", page);
            return true;
        }
        if (path.equals("/v1/models")) {
            write(out, 200, "application/json", "{\"object\":\"list\",\"data\":[{\"id\":\"m\",\"object\":\"model\"}]}");
            return true;
        }
        boolean check = h.containsKey("x-jetway-health-check");
        if (check) {
            healthCheckHeaders.add(h);
            healthChecks.incrementAndGet();
        } else {
            completionRequests.incrementAndGet();
            if (keepRequests) {
                bodies.add(body);
                headers.add(h);
            }
        }
        String text = new String(body, StandardCharsets.UTF_8);
        boolean stream = text.replace(" ", "").contains("\"stream\":true");
        Mode mode = this.mode;
        switch (mode) {
            case FAIL_500 -> {
                write(out, 500, "application/json", "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}");
                return true;
            }
            case FAIL_503 -> {
                write(out, 503, "application/json", "{\"error\":{\"message\":\"engine dead\",\"type\":\"server_error\"}}");
                return true;
            }
            case FAIL_400 -> {
                write(out, 400, "application/json", "{\"object\":\"error\",\"message\":\"This model's maximum "
                        + "context length is 8 tokens\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}");
                return true;
            }
            case DIE_BEFORE_HEAD -> {
                s.setSoLinger(true, 0);
                s.close(); // RST before any answer: the replica crashed
                return false;
            }
            case STALL_BEFORE_HEAD -> {
                waitForClose(s, check);
                return false;
            }
            case STALL_AFTER_HEAD -> {
                if (stream) {
                    out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n"
                            + "x-served-by: " + name + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                waitForClose(s, check);
                return false;
            }
            default -> {
            }
        }
        if (!stream) {
            String answer = jsonAnswer;
            write(out, 200, "application/json", answer != null ? answer : completionJson(name), responseHeaders);
            return true;
        }
        out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n"
                + "x-served-by: " + name + "\r\n" + responseHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        int chunks = mode == Mode.ENDLESS_STREAM ? Integer.MAX_VALUE : streamChunks;
        try {
            for (int i = 0; i < chunks; i++) {
                if (mode == Mode.DIE_MID_STREAM && i == 2) {
                    s.setSoLinger(true, 0);
                    s.close(); // RST: the replica crashed
                    return false;
                }
                if (mode == Mode.STALL_MID_STREAM && i == 2) {
                    waitForClose(s, check);
                    return false;
                }
                chunk(out, sseEvent(i));
                chunksSent.incrementAndGet();
                if (chunkDelayMillis > 0) {
                    Thread.sleep(chunkDelayMillis);
                }
            }
            chunk(out, "data: [DONE]\n\n");
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            cancelledStreams.incrementAndGet();
            return false;
        } catch (InterruptedException e) {
            return false;
        }
        return true;
    }

    /** The i-th SSE event; padded to {@link #chunkBytes} when set, for relay-volume tests. */
    public String sseEvent(int i) {
        String pad = chunkBytes > 0 ? "x".repeat(chunkBytes) : "";
        return "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\" w" + i + pad
                + "\",\"finish_reason\":null}]}\n\n";
    }

    public static String completionJson(String servedBy) {
        return "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"text\":\" hello from " + servedBy + "\",\"finish_reason\":\"length\",\"logprobs\":null}],"
                + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":3,\"total_tokens\":6}}";
    }

    private void waitForClose(Socket s, boolean check) {
        try {
            // blocks until the gateway gives up on us and closes the connection
            while (s.getInputStream().read() >= 0) {
                // discard
            }
        } catch (IOException e) {
            // closed
        }
        if (!check) {
            cancelledStreams.incrementAndGet();
        }
    }

    private static void chunk(OutputStream out, String data) throws IOException {
        byte[] b = data.getBytes(StandardCharsets.UTF_8);
        out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private void write(OutputStream out, int status, String type, String body) throws IOException {
        write(out, status, type, body, "");
    }

    private void write(OutputStream out, int status, String type, String body, String extraHeaders)
            throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + " X\r\ncontent-type: " + type + "\r\ncontent-length: " + b.length
                + "\r\nx-served-by: " + name + "\r\n" + extraHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int len = sb.length();
                return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
            }
            sb.append((char) c);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    @Override
    public void close() throws IOException {
        running = false;
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
