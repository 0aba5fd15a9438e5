package dev.jetway.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep of bad inputs (bodies, headers, wire-level garbage, failing model servers): every error body is the gateway's
 * own words, never a stack trace, an exception or an internal class or library name.
 */
class ErrorBodySweepTest {

    private static final Pattern INTERNALS = Pattern.compile("(?i)(exception|\\bat [a-z]+\\.[a-z]|\\.java:\\d|"
            + "com\\.fasterxml|jackson|io\\.netty|java\\.(lang|io|net|util)|\\bsun\\.|jdk\\.internal|dev\\.jetway|"
            + "StreamReadConstraints|JsonToken|VALUE_STRING|START_OBJECT)");

    @TempDir
    Path dir;

    private static final List<String> BODIES = List.of(
            "", "{", "}", "[]", "null", "42", "\"text\"", "{\"model\":", "{\"model\":\"m\",\"prompt\":\"x\"}trailing",
            "{\"model\":\"m\",\"prompt\":\"x\",}", "{model:\"m\"}", "{'model':'m'}", "{\"model\":\"m\" \"prompt\":\"x\"}",
            "{\"model\":\"m\",\"prompt\":" + "[".repeat(200) + "]".repeat(200) + "}",
            "{\"model\":\"m\",\"prompt\":\"x\",\"deep\":" + "{\"a\":".repeat(100) + "1" + "}".repeat(100) + "}",
            "{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":1e400}",
            "{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":99999999999999999999999999}",
            "{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":" + "9".repeat(2000) + "}",
            "{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":\"ten\"}",
            "{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":-1}",
            "{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":NaN}",
            "{\"model\":\"m\",\"prompt\":\"x\",\"stream\":\"yes\"}",
            "{\"model\":42,\"prompt\":\"x\"}", "{\"model\":\"\",\"prompt\":\"x\"}", "{\"model\":\"m\"}",
            "{\"model\":\"m\",\"prompt\":[]}", "{\"model\":\"m\",\"prompt\":[1.5]}", "{\"model\":\"m\",\"prompt\":[[-1]]}",
            "{\"model\":\"m\",\"prompt\":{\"a\":1}}", "{\"model\":\"m\",\"prompt\":\"a\u0001b\"}",
            "{\"model\":\"m\",\"prompt\":\"\\uZZZZ\"}", "{\"model\":\"m\",\"prompt\":\"unterminated",
            "\uFEFF{\"model\":\"m\",\"prompt\":\"x\"}", "{\"model\":\"m\",\"prompt\":\"x\",\"cache_salt\":[1]}");

    private static final List<String> CHAT_BODIES = List.of(
            "{\"model\":\"m\",\"messages\":\"hi\"}", "{\"model\":\"m\",\"messages\":[]}",
            "{\"model\":\"m\",\"messages\":[{}]}", "{\"model\":\"m\",\"messages\":[1]}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":7}]}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[1]}]}");

    @Test
    void noErrorBodyShowsInternals() throws Exception {
        String key = ApiKeys.generate();
        Files.writeString(dir.resolve("keys.yaml"), "- {hash: \"" + ApiKeys.hash(key) + "\", tenant: t, models: [m]}\n");
        List<String> bodies = new ArrayList<>();
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("random", "maxRetries: 0",
                     List.of(backend.address())).replace("server: {", "server: {maxBodyBytes: 65536, ")
                     + "security: {apiKeys: {file: \"" + dir.resolve("keys.yaml") + "\"}}\n")) {
            for (String b : BODIES) {
                bodies.add(post(gw, "/v1/completions", key, "application/json", b.getBytes(StandardCharsets.UTF_8)));
            }
            for (String b : CHAT_BODIES) {
                bodies.add(post(gw, "/v1/chat/completions", key, "application/json",
                        b.getBytes(StandardCharsets.UTF_8)));
            }
            byte[] invalidUtf8 = {'{', '"', 'm', 'o', 'd', 'e', 'l', '"', ':', '"', (byte) 0xc3, (byte) 0x28, '"', '}'};
            bodies.add(post(gw, "/v1/completions", key, "application/json", invalidUtf8));
            bodies.add(post(gw, "/v1/completions", key, "text/plain", "x".getBytes(StandardCharsets.UTF_8)));
            bodies.add(post(gw, "/v1/completions", key, "application/json",
                    ("{\"model\":\"m\",\"prompt\":\"" + "x".repeat(70_000) + "\"}").getBytes(StandardCharsets.UTF_8)));
            bodies.add(post(gw, "/v1/completions", null, "application/json", BODIES.getLast().getBytes()));
            bodies.add(post(gw, "/v1/completions", "jw-wrong", "application/json", BODIES.getLast().getBytes()));
            bodies.add(post(gw, "/v1/completions", key, "application/json",
                    "{\"model\":\"other\",\"prompt\":\"x\"}".getBytes()));
            bodies.add(get(gw, "/v1/completions"));
            bodies.add(get(gw, "/nothing/here"));
            bodies.add(get(gw, "/v1/models"));
            for (String[] h : new String[][] {{"x-llm-d-slo-ttft-ms", "fast"}, {"x-llm-d-slo-tpot-ms", "-1"}}) {
                bodies.add(gw.http.send(HttpRequest.newBuilder(gw.uri("/v1/completions"))
                        .header("content-type", "application/json").header("authorization", "Bearer " + key)
                        .header(h[0], h[1]).POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":"
                                + "\"x\"}")).build(), HttpResponse.BodyHandlers.ofString()).body());
            }
            for (String raw : List.of(
                    "POST /v1/completions HTTP/1.1\r\ncontent-length: banana\r\n\r\n",
                    "POST /v1/completions HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n",
                    "GARBAGE\r\n\r\n",
                    "POST /v1/completions HTTP/1.1\r\nx-long: " + "a".repeat(70_000) + "\r\n\r\n",
                    "GET /" + "a".repeat(5000) + " HTTP/1.1\r\n\r\n")) {
                bodies.add(raw(gw.server.port(), raw));
            }
            // model servers that fail: a 5xx, a dead one, a malformed answer
            backend.mode = FakeModelServer.Mode.FAIL_500;
            bodies.add(post(gw, "/v1/completions", key, "application/json", "{\"model\":\"m\",\"prompt\":\"x\"}".getBytes()));
            backend.mode = FakeModelServer.Mode.DIE_BEFORE_HEAD;
            bodies.add(post(gw, "/v1/completions", key, "application/json", "{\"model\":\"m\",\"prompt\":\"x\"}".getBytes()));
            backend.close();
            bodies.add(post(gw, "/v1/completions", key, "application/json", "{\"model\":\"m\",\"prompt\":\"x\"}".getBytes()));
            bodies.add(get(gw, gw.adminUri("/nothing")));
            bodies.add(gw.http.send(HttpRequest.newBuilder(gw.adminUri("/jetway/peers/digest"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {9, 9, 9})).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        }
        assertThat(bodies).hasSizeGreaterThan(50);
        for (String body : bodies) {
            assertThat(INTERNALS.matcher(body).find()).as("body shows internals: %s", body).isFalse();
        }
        // and the parser's messages say where the problem is
        assertThat(bodies.get(BODIES.indexOf("{\"model\":\"m\" \"prompt\":\"x\"}")))
                .contains("request body is not valid JSON (line 1, column");
        assertThat(String.join("\n", bodies)).contains("request body is nested too deeply (at most 64 levels)")
                .contains("request body is not valid UTF-8").contains("request body ends before its JSON is complete");
    }

    private static String post(GatewayHarness gw, String path, String key, String type, byte[] body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(10))
                .header("content-type", type);
        if (key != null) {
            r.header("authorization", "Bearer " + key);
        }
        return gw.http.send(r.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String get(GatewayHarness gw, String path) throws Exception {
        return get(gw, gw.uri(path));
    }

    private static String get(GatewayHarness gw, java.net.URI uri) throws Exception {
        return gw.http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The whole answer to raw bytes on a fresh connection (the gateway closes after a malformed request). */
    private static String raw(int port, String request) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                in.transferTo(got);
            } catch (java.net.SocketException | java.net.SocketTimeoutException e) {
                // reset after the answer
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
