package dev.jetway.gateway.kvevents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.kvcache.index.precise.ParityHint;
import dev.jetway.kvcache.index.precise.ParityReport;
import org.junit.jupiter.api.Test;

class ParityAlarmTest {

    @Test
    void warnsOnlyForALikelyCauseAndAtMostOnceAMinute() {
        ParityAlarm alarm = new ParityAlarm("p");
        long t = 5_000_000_000L;
        assertThat(alarm.check(new ParityReport("pool", 1.0, 50, ParityHint.NONE, 0), 16, "tok", t)).isFalse();
        assertThat(alarm.check(new ParityReport("pool", 0.2, 3, ParityHint.TOO_FEW_SAMPLES, 0), 16, "tok", t))
                .isFalse();
        ParityReport low = new ParityReport("pool", 0.4, 50, ParityHint.TOKENS_DIFFER, 0);
        assertThat(alarm.check(low, 16, "tok", t)).isTrue();
        assertThat(alarm.check(low, 16, "tok", t + ParityAlarm.INTERVAL_NANOS - 1)).isFalse();
        ParityReport size = new ParityReport("pool", 0.0, 50, ParityHint.BLOCK_SIZE_MISMATCH, 64);
        assertThat(alarm.check(size, 16, "tok", t + ParityAlarm.INTERVAL_NANOS)).isTrue();
    }
}
