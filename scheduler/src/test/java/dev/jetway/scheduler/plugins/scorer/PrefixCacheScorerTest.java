package dev.jetway.scheduler.plugins.scorer;

import static dev.jetway.scheduler.Fixtures.context;
import static dev.jetway.scheduler.Fixtures.endpoints;
import static dev.jetway.scheduler.Fixtures.score;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.SchedulingContext;
import org.junit.jupiter.api.Test;

class PrefixCacheScorerTest {

    private SchedulingContext ctx(String producer) {
        SchedulingContext ctx = context(endpoints(3));
        ctx.put(PrefixMatchInfo.keyFor(producer), new PrefixMatchInfo(producer, new int[] {10, 5, 0}, 10, 64,
                new long[10]));
        return ctx;
    }

    @Test
    void scoreIsTheMatchedFractionByDefault() {
        var s = new PrefixCacheScorer("p", 0.0, 8192, "approx-prefix-cache-producer");
        assertThat(score(s, ctx("approx-prefix-cache-producer"))).containsExactly(1.0, 0.5, 0.0);
    }

    @Test
    void matchLengthWeightBlendsInAbsoluteLength() {
        // 640 matched tokens of a 1280-token scale: length term (0.5)^2 = 0.25
        var s = new PrefixCacheScorer("p", 0.5, 1280, "approx-prefix-cache-producer");
        double[] out = score(s, ctx("approx-prefix-cache-producer"));
        assertThat(out[0]).isCloseTo(0.5 * 0.25 + 0.5 * 1.0, within(1e-9));
        assertThat(out[1]).isCloseTo(0.5 * (320.0 / 1280) * (320.0 / 1280) + 0.5 * 0.5, within(1e-9));
    }

    @Test
    void readsOnlyItsOwnProducer() {
        var s = new PrefixCacheScorer("p", 0.0, 8192, "other-producer");
        assertThat(score(s, ctx("approx-prefix-cache-producer"))).containsOnly(0.0);
    }
}
