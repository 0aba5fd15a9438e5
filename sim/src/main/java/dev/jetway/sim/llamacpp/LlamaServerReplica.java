package dev.jetway.sim.llamacpp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One real {@code llama-server} process on a loopback port, for tests, benchmarks and {@code jetway up --engine
 * llama.cpp}. Started with {@code --metrics} (queue and running counts for the data layer), {@code --no-webui}, and
 * one thread by default: replicas sharing a machine must keep the sum of their threads at or below its cores
 * (OpenMP's spinning threads otherwise cut decode about 6x). Its output goes to a log file next to the model.
 */
public final class LlamaServerReplica implements AutoCloseable {

    /**
     * How to start one.
     *
     * @param alias    model name it serves ({@code --alias})
     * @param context  total context ({@code -c}), split between the slots
     * @param slots    concurrent sequences ({@code -np}); requests beyond them wait ({@code requests_deferred})
     * @param threads  CPU threads ({@code -t})
     * @param cacheRam host-RAM prompt cache in MiB ({@code --cache-ram}); 0 = a slot holds only its last prompt
     */
    public record Settings(String alias, int context, int slots, int threads, int cacheRam) {

        public static Settings of(String alias) {
            return new Settings(alias, 8192, 2, 1, 256);
        }

        public Settings withSlots(int n) {
            return new Settings(alias, context, n, threads, cacheRam);
        }

        public Settings withContext(int tokens) {
            return new Settings(alias, tokens, slots, threads, cacheRam);
        }

        public Settings withCacheRam(int mib) {
            return new Settings(alias, context, slots, threads, mib);
        }
    }

    private final Process process;
    private final int port;
    private final Path log;

    private LlamaServerReplica(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts a replica serving {@code model} and waits until its {@code /health} answers 200. */
    public static LlamaServerReplica start(LlamaServerBuild build, Path model, Settings s) throws IOException,
            InterruptedException {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(build.binary().toString(), "-m", model.toString(),
                "--alias", s.alias(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                "-c", Integer.toString(s.context()), "-np", Integer.toString(s.slots()),
                "-t", Integer.toString(s.threads()), "--metrics", "--no-webui",
                "--cache-ram", Integer.toString(s.cacheRam())));
        Path log = Files.createTempFile("llama-server-" + port + "-", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LlamaServerReplica replica = new LlamaServerReplica(p, port, log);
        try {
            replica.awaitHealthy(Duration.ofSeconds(60));
        } catch (IOException | InterruptedException | RuntimeException e) {
            replica.close();
            throw e;
        }
        return replica;
    }

    private void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException("llama-server exited with " + process.exitValue() + " before it was ready; "
                            + "its log " + log + " ends with:\n" + tail());
                }
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/health"))
                            .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
        }
        throw new IOException("llama-server on port " + port + " was not healthy within " + timeout.toSeconds()
                + " s; its log " + log + " ends with:\n" + tail());
    }

    /** The last lines of its log. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    public int port() {
        return port;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    public String baseUrl() {
        return "http://" + address();
    }

    public Path log() {
        return log;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Kills it at once (SIGKILL), as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
