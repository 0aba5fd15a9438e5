package dev.jetway.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.latency.LatencyModel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pool's latency model belongs to the gateway: it survives reloads that rebuild the pool's scheduler with the same
 * model settings, is replaced when they change, forgets endpoints that leave, goes with its pool, and its error
 * series follow it on the admin page.
 */
class LatencyModelsTest {

    // nothing listens there: the scrapers fail quietly, which this test does not care about
    private static final String A = "127.0.0.1:9";
    private static final String B = "127.0.0.1:7";

    private static final String OTHER_SETTINGS = "{apiVersion: llm-d.ai/v1alpha1, kind: EndpointPickerConfig, plugins: ["
            + "{type: predicted-latency-producer, parameters: {forgettingWindow: 500}}, {type: latency-cost-scorer}]}";

    private GatewayMetrics metrics;
    private RoutingState state;

    @BeforeEach
    void start() {
        metrics = new GatewayMetrics();
        state = new RoutingState(metrics, NioSocketChannel.class);
    }

    @AfterEach
    void stop() {
        state.close();
    }

    private void apply(String picker, List<String> addresses) {
        String endpoints = addresses.stream().map(a -> "      - {address: \"" + a + "\"}")
                .collect(Collectors.joining("\n"));
        state.apply(ConfigLoader.parse("pools:\n  - name: p\n    models: [m]\n    endpointPicker: " + picker
                + "\n    endpoints:\n" + endpoints + "\n", "test"));
    }

    private Scheduler scheduler() {
        return state.table().pools().getFirst().scheduler();
    }

    private Endpoint endpoint(String address) {
        return state.table().pools().getFirst().endpoints().stream().filter(e -> e.config().address().equals(address))
                .findFirst().orElseThrow().endpoint();
    }

    /** One streamed response from {@code address}: a TTFT and a TPOT observation. */
    private void teach(LatencyModel model, String address) {
        long t0 = System.nanoTime();
        LatencyModel.Observation o = model.sent(endpoint(address), t0, 100, 0, true, 16, 0.040, 0.010);
        model.firstToken(o, t0 + 50_000_000L);
        model.completed(o, t0 + 200_000_000L, true, 16);
    }

    @Test
    void theModelIsKeptAcrossReloadsWithTheSameSettings() {
        apply("jetway-approximate", List.of(A, B));
        LatencyModel model = state.latencyModel("p");
        assertThat(model).isNotNull();
        teach(model, A);
        teach(model, B);
        Scheduler before = scheduler();

        // another pipeline around a producer of the same settings: a new scheduler, the same model
        apply("predicted-latency", List.of(A, B));
        assertThat(scheduler()).isNotSameAs(before);
        assertThat(state.latencyModel("p")).isSameAs(model);
        assertThat(state.keptLatencyModels("p")).containsExactly(model);

        // other settings: a fresh model, and the old one is let go
        apply(OTHER_SETTINGS, List.of(A, B));
        LatencyModel other = state.latencyModel("p");
        assertThat(other).isNotNull().isNotSameAs(model);
        assertThat(other.settings().forgettingWindow()).isEqualTo(500);
        assertThat(state.keptLatencyModels("p")).containsExactly(other);

        // an endpoint leaves: the model forgets what it knew of it
        teach(other, A);
        teach(other, B);
        apply(OTHER_SETTINGS, List.of(A));
        assertThat(state.latencyModel("p")).isSameAs(other);
        assertThat(other.errors()).anyMatch(e -> A.equals(e.endpointId())).noneMatch(e -> B.equals(e.endpointId()));

        // no latency producer any more, then the pool with one again: nothing was kept
        apply("random", List.of(A, B));
        assertThat(state.latencyModel("p")).isNull();
        assertThat(state.keptLatencyModels("p")).isEmpty();
        apply("jetway-approximate", List.of(A, B));
        assertThat(state.latencyModel("p")).isNotSameAs(model).isNotSameAs(other);
    }

    @Test
    void errorSeriesFollowTheModelsEndpoints() {
        apply("jetway-approximate", List.of(A, B));
        LatencyModel model = state.latencyModel("p");
        // before any observation: the pool's own series, no error yet and nothing counted (the evidence); no
        // endpoint's
        String first = metrics.scrape();
        for (String kind : List.of("ttft", "tpot", "e2e")) {
            assertThat(first).contains("jetway_latency_prediction_error{kind=\"" + kind
                            + "\",model_server_endpoint=\"\",name=\"p\"} 0.0",
                    "jetway_latency_prediction_observations_total{kind=\"" + kind
                            + "\",model_server_endpoint=\"\",name=\"p\"} 0.0");
        }
        assertThat(first).doesNotContain("jetway_latency_prediction_error{kind=\"ttft\",model_server_endpoint=\"" + A);

        teach(model, A);
        teach(model, B);
        String page = metrics.scrape();
        for (String endpoint : List.of("", A, B)) {
            for (String kind : List.of("ttft", "tpot")) {
                assertThat(page).contains("jetway_latency_prediction_error{kind=\"" + kind
                        + "\",model_server_endpoint=\"" + endpoint + "\",name=\"p\"}");
            }
        }
        // 40 ms predicted, 50 ms observed: 20 % off
        Matcher ttftA = Pattern.compile("jetway_latency_prediction_error\\{kind=\"ttft\",model_server_endpoint=\""
                + Pattern.quote(A) + "\",name=\"p\"\\} (\\S+)").matcher(page);
        assertThat(ttftA.find()).isTrue();
        assertThat(Double.parseDouble(ttftA.group(1))).isCloseTo(0.2, within(1e-9));
        assertThat(page).contains("jetway_latency_prediction_observations_total{kind=\"ttft\","
                + "model_server_endpoint=\"\",name=\"p\"} 2.0");
        assertThat(page).doesNotContain("kind=\"e2e\",model_server_endpoint=\"" + A);

        // B leaves the pool: the model forgets it and its series go; the pool's stay
        apply("jetway-approximate", List.of(A));
        assertThat(state.latencyModel("p")).isSameAs(model);
        assertThat(model.errors()).noneMatch(e -> B.equals(e.endpointId()));
        page = metrics.scrape();
        assertThat(page).doesNotContain("model_server_endpoint=\"" + B + "\"")
                .contains("jetway_latency_prediction_error{kind=\"ttft\",model_server_endpoint=\"" + A
                        + "\",name=\"p\"}")
                .contains("jetway_latency_prediction_observations_total{kind=\"ttft\",model_server_endpoint=\"\","
                        + "name=\"p\"} 2.0");

        // the pool stops predicting latency: every series of its model goes
        apply("random", List.of(A));
        assertThat(metrics.scrape()).doesNotContain("jetway_latency_prediction");
    }
}
