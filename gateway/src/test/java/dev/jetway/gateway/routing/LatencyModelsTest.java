package dev.jetway.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.config.ConfigLoader;
import dev.jetway.gateway.metrics.GatewayMetrics;
import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Scheduler;
import dev.jetway.scheduler.latency.LatencyModel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pool's latency model belongs to the gateway: it survives reloads that rebuild the pool's scheduler with the same
 * model settings, is replaced when they change, forgets endpoints that leave and goes with its pool.
 */
class LatencyModelsTest {

    // nothing listens there: the scrapers fail quietly, which this test does not care about
    private static final String A = "127.0.0.1:9";
    private static final String B = "127.0.0.1:7";

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
        apply("jetway-latency", List.of(A, B));
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
        apply("{apiVersion: llm-d.ai/v1alpha1, kind: EndpointPickerConfig, plugins: [{type: predicted-latency-producer, parameters: {forgettingWindow: 500}}, "
                + "{type: latency-cost-scorer}]}", List.of(A, B));
        LatencyModel other = state.latencyModel("p");
        assertThat(other).isNotNull().isNotSameAs(model);
        assertThat(other.settings().forgettingWindow()).isEqualTo(500);
        assertThat(state.keptLatencyModels("p")).containsExactly(other);

        // an endpoint leaves: the model forgets what it knew of it
        teach(other, A);
        teach(other, B);
        apply("{apiVersion: llm-d.ai/v1alpha1, kind: EndpointPickerConfig, plugins: [{type: predicted-latency-producer, "
                + "parameters: {forgettingWindow: 500}}, {type: latency-cost-scorer}]}", List.of(A));
        assertThat(state.latencyModel("p")).isSameAs(other);
        assertThat(other.errors()).anyMatch(e -> A.equals(e.endpointId())).noneMatch(e -> B.equals(e.endpointId()));

        // no latency producer any more, then the pool with one again: nothing was kept
        apply("random", List.of(A, B));
        assertThat(state.latencyModel("p")).isNull();
        assertThat(state.keptLatencyModels("p")).isEmpty();
        apply("jetway-latency", List.of(A, B));
        assertThat(state.latencyModel("p")).isNotSameAs(model).isNotSameAs(other);
    }
}
