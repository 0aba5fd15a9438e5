package dev.jetway.scheduler.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.RequestHandling;
import dev.jetway.scheduler.Scheduler;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** llm-d's {@code requestHandler.propagatePriority}, read from the EndpointPickerConfig. */
class RequestHandlingTest {

    private static final String HEAD = """
            apiVersion: llm-d.ai/v1
            kind: EndpointPickerConfig
            """;

    private static Scheduler build(String yaml) {
        return Scheduler.fromConfig(EndpointPickerConfig.parse(HEAD + yaml, "test.yaml"), Fixtures.env(1));
    }

    @Test
    void propagatePriorityIsReadAndShownByConfigCheck() {
        Scheduler on = build("requestHandler:\n  propagatePriority: true\n");
        assertThat(on.requestHandling().propagatePriority()).isTrue();
        assertThat(on.warnings()).isEmpty();
        assertThat(on.describe()).contains("request handling: propagatePriority on: the resolved priority goes into "
                + "the body's priority field (vLLM: negated, lower first; llm-d.ai/engine-type: sglang: as is)");

        assertThat(build("requestHandler: {propagatePriority: false}\n").requestHandling().propagatePriority())
                .isFalse();
        Scheduler absent = build("plugins: [{type: queue-scorer}]\n");
        assertThat(absent.requestHandling()).isEqualTo(RequestHandling.DEFAULT);
        assertThat(absent.describe()).contains("request handling: propagatePriority off");
    }

    @Test
    void aPropagatePriorityThatIsNotABooleanIsAProblem() {
        assertThat(problems("requestHandler: {propagatePriority: yes please}\n")).singleElement().asString()
                .contains("requestHandler.propagatePriority must be true or false");
        assertThat(problems("requestHandler: [propagatePriority]\n")).singleElement().asString()
                .contains("requestHandler must be a mapping");
    }

    @Test
    void theBodyPriorityFollowsTheEnginesConvention() {
        Endpoint unlabelled = Endpoint.of("10.0.0.1:8000");
        Endpoint vllm = new Endpoint("v", "10.0.0.2:8000", Map.of(RequestHandling.ENGINE_TYPE_LABEL, "vllm"));
        Endpoint sglang = new Endpoint("s", "10.0.0.3:8000", Map.of(RequestHandling.ENGINE_TYPE_LABEL, "SGLang"));
        // an InferenceObjective's critical 10 > standard 0 > sheddable -1; vLLM serves the lowest value first
        assertThat(List.of(10, 0, -1).stream().map(p -> RequestHandling.enginePriority(p, vllm)).toList())
                .containsExactly(-10, 0, 1);
        assertThat(RequestHandling.enginePriority(10, unlabelled)).isEqualTo(-10);
        assertThat(RequestHandling.enginePriority(10, sglang)).isEqualTo(10);
        assertThat(RequestHandling.enginePriority(Integer.MIN_VALUE, vllm)).isEqualTo(Integer.MAX_VALUE);
    }

    private static List<String> problems(String yaml) {
        try {
            build(yaml);
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected the config to be refused");
    }
}
