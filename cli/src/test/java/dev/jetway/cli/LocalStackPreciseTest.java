package dev.jetway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code jetway up --epp-config precise}: the local replicas' KV events reach the gateway's precise index. */
class LocalStackPreciseTest {

    @Test
    void thePrecisePolicyWorksOutOfTheBox() throws Exception {
        LocalStack.Options options = LocalStack.Options.defaults().withPorts(0, 0).withReplicas(2)
                .withPicker("precise");
        try (LocalStack stack = LocalStack.start(options); HttpClient http = HttpClient.newHttpClient()) {
            String prompt = FillerText.sequence(64, 3);
            String body = "{\"model\":\"" + stack.model() + "\",\"max_tokens\":1,\"prompt\":\"" + prompt + "\"}";
            PrecisePrefixIndex index = stack.gateway().routing().kvEvents().index("local");
            assertThat(index).isNotNull();
            // A SUB socket misses what was published before it joined: first hear from every replica's publisher,
            // with fresh prompts sent to it directly.
            int probe = 0;
            for (String replica : stack.replicaUrls()) {
                long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                while (index.endpointStats().stream().noneMatch(s -> replica.endsWith("//" + s.endpoint()) && s.messages() > 0)) {
                    assertThat(System.nanoTime()).as("no KV event from " + replica).isLessThan(until);
                    String fresh = FillerText.random(32, new java.util.SplittableRandom(1_000 + probe++));
                    http.send(HttpRequest.newBuilder(URI.create(replica + "/v1/completions"))
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + stack.model()
                                    + "\",\"max_tokens\":1,\"prompt\":\"" + fresh + "\"}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    Thread.sleep(100);
                }
            }
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl()
                            + "/v1/completions")).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int held = 0;
            while (held < 4 && System.nanoTime() < deadline) {
                Thread.sleep(50);
                held = index.match(stack.model(), null, null, SimpleWordTokenizer.instance().encode(prompt))
                        .matches().stream().filter(m -> index.endpointStats().stream()
                                .anyMatch(s -> s.endpoint().equals(m.endpoint()) && s.blocksStored() > 0))
                        .mapToInt(m -> m.blocks()).max().orElse(0);
            }
            assertThat(held).isEqualTo(4); // 64 tokens = 4 blocks of 16, reported by the replica that served them
        }
    }
}
