package dev.jetway.gateway.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.gateway.config.TracingSettings;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Who decides whether a request is traced: without a parent the ratio; with a client's parent its sampled flag only
 * when parent-based (else the gateway's own draw, which the client's choice of trace id cannot steer); the gateway's
 * own spans follow their request. jetway.yaml wins over OTEL_TRACES_SAMPLER(_ARG), which wins over the defaults.
 */
class SamplerTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String LOW_TRACE = "00000000000000000000000000000001"; // always under any ratio's threshold

    private static Sampler sampler(Double ratio, Boolean parentBased, Map<String, String> env) {
        return TracingSdk.sampler(new TracingSettings(true, null, null, ratio, parentBased, null, null),
                DefaultConfigProperties.createFromMap(env));
    }

    private static Context parent(boolean sampled, boolean remote) {
        SpanContext c = remote
                ? SpanContext.createFromRemoteParent(TRACE, "00f067aa0ba902b7",
                        sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(), TraceState.getDefault())
                : SpanContext.create(TRACE, "00f067aa0ba902b7",
                        sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(), TraceState.getDefault());
        return Context.root().with(Span.wrap(c));
    }

    private static SamplingDecision decide(Sampler s, Context parent, String traceId) {
        return s.shouldSample(parent, traceId, "POST /v1/completions", SpanKind.SERVER, Attributes.empty(), List.of())
                .getDecision();
    }

    @Test
    void aClientsFlagDecidesOnlyWhenParentBased() {
        Sampler own = sampler(0.0, false, Map.of());
        assertThat(decide(own, parent(true, true), TRACE)).isEqualTo(SamplingDecision.DROP);
        // a client picking a trace id under the ratio's threshold gains nothing: the draw ignores it
        assertThat(decide(own, parent(false, true), LOW_TRACE)).isEqualTo(SamplingDecision.DROP);
        assertThat(decide(sampler(1.0, false, Map.of()), parent(false, true), TRACE))
                .isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);

        Sampler followed = sampler(0.0, true, Map.of());
        assertThat(decide(followed, parent(true, true), TRACE)).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
        assertThat(decide(sampler(1.0, true, Map.of()), parent(false, true), TRACE)).isEqualTo(SamplingDecision.DROP);
    }

    @Test
    void theGatewaysOwnSpansFollowTheirRequest() {
        Sampler s = sampler(0.5, false, Map.of());
        assertThat(decide(s, parent(true, false), TRACE)).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
        assertThat(decide(s, parent(false, false), TRACE)).isEqualTo(SamplingDecision.DROP);
    }

    @Test
    void withoutAParentTheRatioDecides() {
        assertThat(decide(sampler(1.0, false, Map.of()), Context.root(), TRACE))
                .isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
        assertThat(decide(sampler(0.0, false, Map.of()), Context.root(), TRACE)).isEqualTo(SamplingDecision.DROP);
    }

    @Test
    void theEnvironmentFillsWhatJetwayYamlLeavesOut() {
        Map<String, String> env = Map.of("otel.traces.sampler", "parentbased_always_off");
        // parent-based from the environment; always_off = ratio 0
        assertThat(decide(sampler(null, null, env), parent(true, true), TRACE))
                .isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
        assertThat(decide(sampler(null, null, env), Context.root(), TRACE)).isEqualTo(SamplingDecision.DROP);
        // jetway.yaml's keys win
        assertThat(decide(sampler(1.0, false, env), Context.root(), TRACE))
                .isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
        assertThat(decide(sampler(null, false, env), parent(true, true), TRACE)).isEqualTo(SamplingDecision.DROP);
        // the ratio from OTEL_TRACES_SAMPLER_ARG
        assertThat(sampler(null, null, Map.of("otel.traces.sampler", "traceidratio", "otel.traces.sampler.arg",
                "0.25")).getDescription()).contains("0.25");
        // neither: Jetway's default ratio, not parent-based
        assertThat(sampler(null, null, Map.of()).getDescription()).contains("0.1")
                .contains("RemoteParentRatioSampler");
    }
}
