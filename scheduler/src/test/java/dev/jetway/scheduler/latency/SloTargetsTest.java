package dev.jetway.scheduler.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.scheduler.InferenceRequest;
import org.junit.jupiter.api.Test;

class SloTargetsTest {

    private static InferenceRequest with(String header, String value) {
        return InferenceRequest.builder("r").header(header, value).build();
    }

    @Test
    void readsMillisecondsFromTheCanonicalAndTheOldHeaders() {
        assertThat(SloTargets.parse(with("x-llm-d-slo-ttft-ms", "250"))).isEqualTo(new SloTargets(0.25, 0));
        assertThat(SloTargets.parse(with("X-SLO-TPOT-MS", " 12.5 "))).isEqualTo(new SloTargets(0, 0.0125));
        InferenceRequest both = InferenceRequest.builder("r").header("x-llm-d-slo-ttft-ms", "100")
                .header("x-slo-ttft-ms", "900").build();
        assertThat(SloTargets.parse(both).ttftSeconds()).isEqualTo(0.1);
        assertThat(SloTargets.of(InferenceRequest.builder("r").build())).isSameAs(SloTargets.NONE);
    }

    @Test
    void aMalformedHeaderIsRejectedByNameWhenParsedStrictlyAndIgnoredOtherwise() {
        for (String bad : new String[] {"fast", "-5", "NaN", "Infinity", ""}) {
            assertThatThrownBy(() -> SloTargets.parse(with("x-llm-d-slo-tpot-ms", bad)))
                    .isInstanceOfSatisfying(SloTargets.InvalidHeader.class,
                            e -> assertThat(e.header()).isEqualTo("x-llm-d-slo-tpot-ms"))
                    .hasMessageContaining("x-llm-d-slo-tpot-ms");
            assertThat(SloTargets.of(with("x-llm-d-slo-tpot-ms", bad))).isEqualTo(SloTargets.NONE);
        }
        assertThatThrownBy(() -> SloTargets.parse(with("x-slo-ttft-ms", "soon")))
                .hasMessageContaining("x-slo-ttft-ms");
    }
}
