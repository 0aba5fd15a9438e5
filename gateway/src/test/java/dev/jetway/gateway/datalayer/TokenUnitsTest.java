package dev.jetway.gateway.datalayer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class TokenUnitsTest {

    @Test
    void readsOneUntilEnoughEngineTokensWereSeenThenTheTokenWeightedRatio() {
        TokenUnits units = new TokenUnits();
        units.observe(250, 200);
        assertThat(units.routingPerEngineToken()).isEqualTo(1); // 200 engine tokens: not yet
        assertThat(units.toRouting(4_096)).isEqualTo(4_096);
        units.observe(1_250, 1_000);
        units.observe(2_500, 2_000);
        assertThat(units.routingPerEngineToken()).isCloseTo(1.25, offset(0.01));
        assertThat(units.toRouting(4_096)).isCloseTo(5_120, offset(30L));
    }

    @Test
    void unknownCountsTeachNothingAndAbsurdRatiosAreBounded() {
        TokenUnits units = new TokenUnits();
        units.observe(-1, 5_000);
        units.observe(5_000, 0);
        assertThat(units.routingPerEngineToken()).isEqualTo(1);
        units.observe(1_000_000, 3_000);
        assertThat(units.routingPerEngineToken()).isEqualTo(TokenUnits.MAX_RATIO);
    }

    @Test
    void followsAChangeOverAFewHundredResponses() {
        TokenUnits units = new TokenUnits();
        for (int i = 0; i < 200; i++) {
            units.observe(1_000, 1_000);
        }
        for (int i = 0; i < 1_000; i++) {
            units.observe(2_000, 1_000);
        }
        assertThat(units.routingPerEngineToken()).isCloseTo(2.0, offset(0.01));
    }
}
