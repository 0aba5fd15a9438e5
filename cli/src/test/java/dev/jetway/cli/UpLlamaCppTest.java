package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.sim.llamacpp.GgufRandomModel;
import dev.jetway.sim.llamacpp.LlamaServerBuild;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jetway up --engine llama.cpp}: real llama-server replicas behind the gateway, or a clear way to get them. */
class UpLlamaCppTest {

    @Test
    void withoutABuildItSaysHowToMakeOne(@TempDir Path emptyCache) {
        String before = System.getProperty("jetway.llamaCache");
        System.setProperty("jetway.llamaCache", emptyCache.toString());
        try {
            CliRun run = CliRun.of("up", "--engine", "llama.cpp", "--port", "0", "--admin-port", "-1");
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).contains("llama.cpp's llama-server is not built on this machine")
                    .contains("scripts/llama-server.sh").contains("cmake");
            assertThat(run.out()).doesNotContain("Jetway is up");
        } finally {
            if (before == null) {
                System.clearProperty("jetway.llamaCache");
            } else {
                System.setProperty("jetway.llamaCache", before);
            }
        }
    }

    @Test
    void refusesAnUnknownEngineAndPdOnLlamaCpp() {
        CliRun unknown = CliRun.of("up", "--engine", "vllm", "--port", "0", "--admin-port", "-1");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("--engine must be sim or llama.cpp, got vllm");
        CliRun pd = CliRun.of("up", "--engine", "llama.cpp", "--pd", "1P1D");
        assertThat(pd.exitCode()).isEqualTo(2);
        assertThat(pd.err()).contains("--pd runs simulated replicas only");
    }

    @Test
    @Tag("real-engine")
    void servesThroughTheGatewayOnRealReplicas() throws Exception {
        Assumptions.assumeTrue(LlamaServerBuild.find().isPresent(),
                () -> "real-engine tier skipped: " + LlamaServerBuild.missingMessage());
        LocalStack.Options options = new LocalStack.Options("tiny", 2, null, "127.0.0.1", 0, 0, null, Map.of());
        try (LlamaCppStack stack = LlamaCppStack.start(options,
                new LlamaCppStack.Settings(GgufRandomModel.Shape.TINY, 1, 2, 8192));
             HttpClient http = HttpClient.newHttpClient()) {
            var ready = waitReady(http, stack.adminUrl() + "/ready");
            assertThat(ready).contains("\"engines\"").contains("llama.cpp");
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/v1/completions"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"prompt\":\"Hello from Jetway\","
                            + "\"max_tokens\":8,\"ignore_eos\":true}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(r.body()).path("usage").path("completion_tokens").asInt())
                    .isEqualTo(8);
        }
    }

    private static String waitReady(HttpClient http, String url) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        HttpResponse<String> r;
        do {
            r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return r.body();
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("never ready: " + r.body());
    }
}
