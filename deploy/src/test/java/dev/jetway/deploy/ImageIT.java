package dev.jetway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image the build wrote (deploy/target/jetway-image.tar, docker-archive format): its config says what a
 * container runtime needs, its layers hold the runtime Jib did not pull, and, on a Linux machine where this test is
 * root, it runs: the layers unpacked into a directory, the entrypoint started there with chroot as the image's user,
 * serving /health — what a container runtime would do, without one.
 */
@EnabledOnOs(OS.LINUX)
class ImageIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static JsonNode manifest;
    static JsonNode config;

    @BeforeAll
    static void unpack() throws IOException {
        Path tar = Path.of(System.getProperty("jetway.image.tar", "target/jetway-image.tar"));
        assertThat(tar).as("the image tar the build writes").isRegularFile();
        run(List.of("tar", "-xf", tar.toString(), "-C", dir.toString()), Duration.ofMinutes(1));
        manifest = JSON.readTree(dir.resolve("manifest.json").toFile()).get(0);
        config = JSON.readTree(dir.resolve(manifest.path("Config").asText()).toFile());
    }

    @Test
    void entrypointRunsTheJetwayCommandOnTheBundledRuntime() {
        List<String> entrypoint = texts(config.at("/config/Entrypoint"));
        assertThat(entrypoint.getFirst()).isEqualTo("/opt/jetway/jre/bin/java");
        assertThat(entrypoint).contains("-XX:+ExitOnOutOfMemoryError", "--enable-native-access=ALL-UNNAMED")
                .endsWith("-cp", "@/app/jib-classpath-file", "dev.jetway.cli.Main");
        assertThat(texts(config.at("/config/Cmd"))).containsExactly("gateway", "--config", "/etc/jetway/jetway.yaml");
        assertThat(config.path("os").asText()).isEqualTo("linux");
        assertThat(config.path("architecture").asText()).isEqualTo("amd64");
    }

    @Test
    void runsAsANonRootUserAndExposesTheApiAdminAndEppPorts() {
        assertThat(config.at("/config/User").asText()).isEqualTo("65532:65532");
        List<String> ports = new ArrayList<>();
        config.at("/config/ExposedPorts").fieldNames().forEachRemaining(ports::add);
        assertThat(ports).containsExactlyInAnyOrder("8080/tcp", "9090/tcp", "9002/tcp");
    }

    @Test
    void labelsSayTheVersionAndTheCommit() {
        JsonNode labels = config.at("/config/Labels");
        assertThat(labels.path("org.opencontainers.image.version").asText())
                .isEqualTo(System.getProperty("jetway.version"));
        assertThat(labels.path("org.opencontainers.image.revision").asText()).matches("[0-9a-f]{40}|unknown");
        assertThat(labels.path("org.opencontainers.image.title").asText()).isEqualTo("Jetway");
        assertThat(manifest.at("/RepoTags/0").asText()).isEqualTo("jetway:" + System.getProperty("jetway.version"));
    }

    @Test
    void layersHoldTheRuntimeTheLibrariesItLoadsAndJetway() throws IOException {
        List<String> files = new ArrayList<>();
        for (JsonNode layer : manifest.path("Layers")) {
            files.addAll(run(List.of("tar", "--warning=no-unknown-keyword", "-tzf",
                    dir.resolve(layer.asText()).toString()), Duration.ofMinutes(1)).lines().toList());
        }
        assertThat(files).contains("opt/jetway/jre/bin/java", "opt/jetway/jre/lib/server/libjvm.so",
                "lib64/ld-linux-x86-64.so.2", "lib/x86_64-linux-gnu/libc.so.6",
                "lib/x86_64-linux-gnu/libstdc++.so.6", "etc/passwd", "tmp/", "app/jib-classpath-file");
        assertThat(files).anyMatch(f -> f.matches("app/libs/jetway-cli-.*\\.jar"))
                .anyMatch(f -> f.matches("app/libs/jetway-gateway-.*\\.jar"))
                .anyMatch(f -> f.matches("app/libs/netty-transport-native-epoll-.*-linux-x86_64\\.jar"));
    }

    @Test
    void theRuntimeHasEveryJavaModuleJetwayUses() throws IOException {
        // jdeps on the one-jar build of the same classes (cli/target/jetway.jar): what the code references, against
        // what the image's runtime was linked with (its release file). A dependency that needs a module the image
        // lacks would fail at run time with NoClassDefFoundError, so it fails here.
        Path jar = Path.of(System.getProperty("jetway.cli.jar", "../cli/target/jetway.jar"));
        assumeThat(jar).as("the cli module's jar, built in the same reactor").isRegularFile();
        Path jdeps = Path.of(System.getProperty("java.home"), "bin", "jdeps");
        String used = run(List.of(jdeps.toString(), "--multi-release", "25", "--ignore-missing-deps",
                "--print-module-deps", jar.toString()), Duration.ofMinutes(3)).strip();
        String release = "";
        for (JsonNode layer : manifest.path("Layers")) {
            Path out = dir.resolve("release-" + layer.asText());
            run(List.of("tar", "--warning=no-unknown-keyword", "-xzf", dir.resolve(layer.asText()).toString(),
                    "-C", Files.createDirectories(out).toString(), "--wildcards", "opt/jetway/jre/release"),
                    Duration.ofMinutes(1), true);
            if (Files.exists(out.resolve("opt/jetway/jre/release"))) {
                release = Files.readString(out.resolve("opt/jetway/jre/release"));
            }
        }
        String modules = release.lines().filter(l -> l.startsWith("MODULES=")).findFirst()
                .orElseThrow(() -> new AssertionError("no opt/jetway/jre/release with MODULES in the image"));
        List<String> linked = List.of(modules.substring("MODULES=".length()).replace("\"", "").split(" "));
        assertThat(linked).as("modules of the image's runtime (deploy/pom.xml jetway.image.modules)")
                .containsAll(List.of(used.split(",")));
    }

    @Test
    void theEntrypointStartsTheGatewayAsUser65532() throws Exception {
        assumeThat(run(List.of("id", "-u"), Duration.ofSeconds(10)).strip())
                .as("unpacking with ownership and chroot need root").isEqualTo("0");
        Path root = dir.resolve("rootfs");
        Files.createDirectories(root);
        for (JsonNode layer : manifest.path("Layers")) {
            run(List.of("tar", "--warning=no-unknown-keyword", "-xzf", dir.resolve(layer.asText()).toString(),
                    "-C", root.toString()), Duration.ofMinutes(2));
        }
        // What a container runtime provides: /proc (the JDK finds its libraries relative to /proc/self/exe).
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("etc/jetway"));
        int api = freePort();
        int admin = freePort();
        Files.writeString(root.resolve("etc/jetway/jetway.yaml"), """
                pools:
                  - name: image-test
                    endpoints:
                      - {address: "127.0.0.1:%d"}
                """.formatted(freePort()));

        String version = run(inImage(root, List.of("--version")), Duration.ofMinutes(2));
        assertThat(version).startsWith("jetway " + System.getProperty("jetway.version"));
        String revision = config.at("/config/Labels/org.opencontainers.image.revision").asText();
        if (!revision.equals("unknown")) {
            assertThat(version).as("the commit jetway says it was built from").contains(revision.substring(0, 7));
        }

        List<String> gateway = inImage(root, List.of("gateway", "--config", "/etc/jetway/jetway.yaml",
                "--port", String.valueOf(api), "--admin-port", String.valueOf(admin)));
        Process process = new ProcessBuilder(gateway).redirectErrorStream(true)
                .redirectOutput(dir.resolve("gateway.log").toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> health = poll(http, "http://127.0.0.1:" + admin + "/health", Duration.ofMinutes(2),
                    process);
            assertThat(health.statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + admin + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("jetway_");
            HttpResponse<String> models = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + api + "/v1/models")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(models.statusCode()).isEqualTo(200);
            // The process is the JVM itself (unshare and chroot exec), running as the image's user.
            String status = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "status"));
            assertThat(status.lines().filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow())
                    .matches("Uid:\\s+65532\\s+65532\\s+65532\\s+65532");
            assertThat(log()).as("Netty's native transport loads from the image's /tmp").contains("transport epoll");
        } finally {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The image's entrypoint with these arguments, run in its filesystem as its user: a mount namespace of its
     * own (so /proc is mounted there only) and chroot, both exec'ing, so the process started is the JVM. */
    private static List<String> inImage(Path root, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--mount-proc=" + root.resolve("proc"),
                "chroot", "--userspec=" + config.at("/config/User").asText(), root.toString()));
        cmd.addAll(texts(config.at("/config/Entrypoint")));
        cmd.addAll(args);
        return cmd;
    }

    private static HttpResponse<String> poll(HttpClient http, String url, Duration timeout, Process process) {
        AtomicReference<HttpResponse<String>> answer = new AtomicReference<>();
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
                assertThat(process.isAlive()).as("the image's gateway is running").isTrue();
                try {
                    answer.set(http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
                            .build(), HttpResponse.BodyHandlers.ofString()));
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (AssertionError | ConditionTimeoutException e) {
            throw new AssertionError("the image's gateway did not answer " + url + ":\n" + log(), e);
        }
        return answer.get();
    }

    private static String log() {
        try {
            return Files.readString(dir.resolve("gateway.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static String run(List<String> cmd, Duration timeout) throws IOException {
        return run(cmd, timeout, false);
    }

    private static String run(List<String> cmd, Duration timeout, boolean mayFail) throws IOException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            boolean exited = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            String text = Files.readString(out);
            if (!exited || (p.exitValue() != 0 && !mayFail)) {
                throw new AssertionError(String.join(" ", cmd) + (exited ? " failed" : " timed out") + ":\n" + text);
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            p.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
