package dev.jetway.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.jetway.gateway.routing.GatewayPool;
import dev.jetway.gateway.testing.FakeModelServer;
import dev.jetway.gateway.testing.GatewayHarness;
import dev.jetway.scheduler.plugins.producer.ApproxPrefixCacheProducer;
import dev.jetway.scheduler.plugins.producer.PredictedLatencyProducer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A model server that refuses a request (here vLLM's 400 for a prompt over the context length) computed nothing: the
 * routing history must not believe the prompt cached there, and the latency model must not take the error body's
 * arrival for a first token. Over real sockets, with the default policy of a pool without KV events.
 */
class ErrorAnswerTeachesNothingTest {

    private static final String PROMPT = "a shared system prompt that is long enough to fill a few blocks ".repeat(40);

    private static String body(boolean stream) {
        return "{\"model\":\"m\",\"prompt\":\"" + PROMPT + "\",\"max_tokens\":4" + (stream ? ",\"stream\":true" : "")
                + "}";
    }

    @Test
    void aRefusedPromptIsNotBelievedCachedAndTeachesNoTtft() throws Exception {
        try (FakeModelServer backend = new FakeModelServer("a");
             GatewayHarness gw = GatewayHarness.start(GatewayHarness.yaml("jetway-approximate", "",
                     List.of(backend.address())))) {
            gw.awaitInRotation(1);
            GatewayPool pool = gw.server.routing().table().pools().getFirst();
            ApproxPrefixCacheProducer approx = pool.scheduler().plugins(ApproxPrefixCacheProducer.class).getFirst();
            PredictedLatencyProducer latency = pool.scheduler().plugins(PredictedLatencyProducer.class).getFirst();
            String endpoint = backend.address();

            backend.mode = FakeModelServer.Mode.FAIL_400;
            assertThat(gw.post("/v1/completions", body(true)).statusCode()).isEqualTo(400);
            assertThat(gw.post("/v1/completions", body(false)).statusCode()).isEqualTo(400);
            await().atMost(Duration.ofSeconds(5)).until(() -> pool.endpoints().getFirst().endpoint()
                    .inFlightRequests() == 0);
            assertThat(approx.index().size(endpoint)).as("blocks believed after two refusals").isZero();
            assertThat(latency.model().errors()).as("predictions judged against an error body").isEmpty();

            backend.mode = FakeModelServer.Mode.OK;
            assertThat(gw.post("/v1/completions", body(true)).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> !latency.model().errors().isEmpty());
            assertThat(approx.index().size(endpoint)).as("a served prompt is believed").isPositive();
        }
    }
}
