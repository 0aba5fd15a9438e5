package dev.jetway.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VirtualClockTest {

    @Test
    void movesOnlyForward() {
        VirtualClock clock = new VirtualClock(10);
        clock.advanceTo(25);
        assertThat(clock.nanos()).isEqualTo(25);
        assertThatThrownBy(() -> clock.advanceTo(24)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void requestsAreValidated() {
        assertThatThrownBy(() -> EngineRequest.of("r", new int[0], 0)).hasMessageContaining("maxTokens");
        assertThat(EngineRequest.of("r", new int[] {1, 2}, 3).kvTransfer()).isEqualTo(KvTransfer.NONE);
    }
}
