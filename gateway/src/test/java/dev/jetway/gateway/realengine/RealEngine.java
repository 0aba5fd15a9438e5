package dev.jetway.gateway.realengine;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.sim.llamacpp.GgufRandomModel;
import dev.jetway.sim.llamacpp.LlamaServerBuild;
import dev.jetway.sim.llamacpp.LlamaServerReplica;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * What the real-engine tier shares: the llama-server build (a test skips, saying how to build it, when there is
 * none), the tiny random-weight model written once per machine, prompts of random common words, and reading a
 * replica's own metrics.
 */
final class RealEngine {

    static final String MODEL = "tiny";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final String[] WORDS = ("time person year way day thing man world life hand part child eye woman "
            + "place work week case point government company number group problem fact water room mother area money "
            + "story month lot right study book job word business issue side kind head house service friend father "
            + "power hour game line end member law car city community name president team minute idea kid body "
            + "information back parent face others level office door health art war history party result change "
            + "morning reason research girl guy moment air teacher force education").split(" ");

    private RealEngine() {
    }

    /** The build, or the test is skipped with the command that makes one. */
    static LlamaServerBuild build() {
        var build = LlamaServerBuild.find();
        assumeTrue(build.isPresent(), () -> "real-engine tier skipped: " + LlamaServerBuild.missingMessage());
        return build.get();
    }

    static Path tinyModel(LlamaServerBuild build) throws IOException {
        return build.model(GgufRandomModel.Shape.TINY);
    }

    static LlamaServerReplica start(LlamaServerBuild build, LlamaServerReplica.Settings settings) throws Exception {
        return LlamaServerReplica.start(build, tinyModel(build), settings);
    }

    /** {@code words} random common words (about 1.3 Llama tokens each), different for every seed. */
    static String prompt(long seed, int words) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < words; i++) {
            b.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
        }
        return b.toString();
    }

    /** A completion body: greedy, exactly {@code maxTokens} tokens (random weights would stop anywhere). */
    static String completion(String prompt, int maxTokens, boolean stream) {
        var body = JSON.createObjectNode().put("model", MODEL).put("prompt", prompt).put("max_tokens", maxTokens)
                .put("temperature", 0).put("ignore_eos", true).put("stream", stream);
        if (stream) {
            body.putObject("stream_options").put("include_usage", true);
        }
        return body.toString();
    }

    static HttpResponse<String> post(URI uri, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static int cachedTokens(HttpResponse<String> r) throws IOException {
        JsonNode usage = JSON.readTree(r.body()).path("usage");
        return usage.path("prompt_tokens_details").path("cached_tokens").asInt(-1);
    }

    static int promptTokens(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body()).path("usage").path("prompt_tokens").asInt(-1);
    }

    /** One gauge or counter of the replica's own {@code /metrics} ({@code llamacpp:} + name). */
    static double metric(LlamaServerReplica replica, String name) throws IOException, InterruptedException {
        String page = HTTP.send(HttpRequest.newBuilder(URI.create(replica.baseUrl() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : page.split("\n")) {
            if (line.startsWith("llamacpp:" + name + " ")) {
                return Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
            }
        }
        throw new AssertionError("no llamacpp:" + name + " on " + replica.address());
    }
}
