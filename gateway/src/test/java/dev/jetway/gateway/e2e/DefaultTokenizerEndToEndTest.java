package dev.jetway.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.gateway.testing.KvEventsLive;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.sim.SimCluster;
import dev.jetway.sim.SimOptions;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Pools that set no {@code tokenizer} ({@code auto}): one whose endpoints publish KV events asks the engine's
 * {@code /tokenize} for every prompt; one without them routes with the byte estimate and asks nothing.
 */
class DefaultTokenizerEndToEndTest {

    /** What the fake engines' {@code /tokenize} answers: seven ids, whatever the prompt. */
    static final String TOKENIZE_ANSWER = "{\"count\":7,\"max_model_len\":4096,\"tokens\":[11,12,13,14,15,16,17]}";

    @Test
    void aPoolWithKvEventsAsksTheEngineAndAPoolWithoutThemEstimates() throws Exception {
        try (FakeModelServer events = new FakeModelServer("events"); FakeModelServer plain = new FakeModelServer("plain")) {
            events.pages.put("/tokenize", TOKENIZE_ANSWER);
            plain.pages.put("/tokenize", TOKENIZE_ANSWER);
            String yaml = "server: {port: 0, adminPort: 0, host: 127.0.0.1}\n"
                    + "dataLayer: {scrapeInterval: 20ms, scrapeTimeout: 3s}\n"
                    + "pools:\n"
                    + "  - name: events\n    models: [a]\n    endpoints:\n"
                    // nothing publishes there: the pool still routes on KV events, so its tokens must be the engine's
                    + "      - {address: \"" + events.address() + "\", kvEvents: \"tcp://127.0.0.1:1\"}\n"
                    + "  - name: plain\n    models: [b]\n    endpoints:\n"
                    + "      - {address: \"" + plain.address() + "\"}\n";
            try (GatewayHarness gw = GatewayHarness.start(yaml)) {
                gw.awaitInRotation(2);
                HttpResponse<String> ready = gw.get(gw.adminUri("/ready"));
                assertThat(ready.body()).contains("\"tokenizers\":{\"events\":\"engine (auto)\","
                        + "\"plain\":\"estimate (auto)\"}");

                // 11 words in 60 bytes: jetway-simple-v1 would count 11 tokens, the estimate 15
                String prompt = "the first hour of a gateway decides what its users remember";
                assertThat(gw.post("/v1/completions", "{\"model\":\"a\",\"max_tokens\":1,\"prompt\":\"" + prompt
                        + "\"}").statusCode()).isEqualTo(200);
                assertThat(gw.post("/v1/completions", "{\"model\":\"b\",\"max_tokens\":1,\"prompt\":\"" + prompt
                        + "\"}").statusCode()).isEqualTo(200);

                assertThat(events.pageRequests).singleElement().asString()
                        .startsWith("/tokenize ").contains("\"model\":\"a\"").contains(prompt);
                assertThat(plain.pageRequests).isEmpty();
                assertThat(events.completionRequests.get()).isEqualTo(1);
                assertThat(plain.completionRequests.get()).isEqualTo(1);
                // the prompt's tokens as each pool counted them: the engine's seven, the estimate's 60 / 4
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    String page = gw.metricsPage();
                    assertThat(inputTokens(page, "a")).isEqualTo(7.0);
                    assertThat(inputTokens(page, "b")).isEqualTo(15.0);
                });
            }
        }
    }

    @Test
    void inFrontOfTheSimulatorTheEnginesIdsAreExactlyTheBlocksItCaches() throws Exception {
        try (SimCluster sim = SimCluster.start(SimOptions.defaults("m").withBindHost("127.0.0.1").withPort(0)
                .withProfile("llama-3.1-8b-h100").withKvEvents("tcp://127.0.0.1:*"), 2)) {
            String endpoints = sim.replicas().stream()
                    .map(r -> "      - {address: \"127.0.0.1:" + r.httpPort() + "\", kvEvents: \""
                            + r.kvEventsEndpoint() + "\"}")
                    .collect(Collectors.joining("\n"));
            // no endpointPicker and no tokenizer: jetway routes on the KV events, auto asks the replicas' /tokenize
            String yaml = GatewayHarness.yaml(null, "", java.util.List.of("placeholder:1"))
                    .replace("      - {address: \"placeholder:1\"}", endpoints);
            try (GatewayHarness gw = GatewayHarness.start(yaml)) {
                assertThat(gw.server.routing().table().pools().getFirst().tokenizerChoice().label())
                        .isEqualTo("engine (auto)");
                PrecisePrefixIndex index = gw.server.routing().preciseIndex("p");
                KvEventsLive.await(index, sim.replicas(), "m");
                for (int i = 0; i < 3; i++) {
                    String body = "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\""
                            + FillerText.sequence(120, 5_000 + 1_000 * i) + "\"}]}";
                    assertThat(gw.post("/v1/chat/completions", body).statusCode()).isEqualTo(200);
                }
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(index.poolParity())
                        .satisfies(r -> assertThat(r.samples()).isPositive())
                        .satisfies(r -> assertThat(r.ratio()).isEqualTo(1.0)));
            }
        }
    }

    static double inputTokens(String page, String model) {
        Matcher m = Pattern.compile("(?m)^llm_d_epp_request_input_tokens_sum\\{model_name=\"" + model
                + "\"[^}]*} (\\S+)$").matcher(page);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
