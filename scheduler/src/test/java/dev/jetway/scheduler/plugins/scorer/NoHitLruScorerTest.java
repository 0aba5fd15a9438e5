package dev.jetway.scheduler.plugins.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.List;
import org.junit.jupiter.api.Test;

class NoHitLruScorerTest {

    private final List<Endpoint> eps = Fixtures.endpoints(4);
    private final NoHitLruScorer scorer = new NoHitLruScorer("n", "approx-prefix-cache-producer", 1024);

    private SchedulingContext ctx(int... matched) {
        SchedulingContext c = Fixtures.context(eps);
        c.put(PrefixMatchInfo.keyFor("approx-prefix-cache-producer"),
                new PrefixMatchInfo("approx-prefix-cache-producer", matched, 4, 64, new long[4]));
        return c;
    }

    @Test
    void coldRequestsGoToNeverUsedThenLeastRecentlyUsed() {
        scorer.preRequest(ctx(0, 0, 0, 0), null, eps.get(1));
        scorer.preRequest(ctx(0, 0, 0, 0), null, eps.get(0));
        // unused: ep2, ep3 (in candidate order) then ep1 (older) then ep0 (most recent)
        double[] s = Fixtures.score(scorer, ctx(0, 0, 0, 0));
        assertThat(s[0]).isZero();
        assertThat(s[1]).isCloseTo(1.0 / 3, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(s[2]).isEqualTo(1.0);
        assertThat(s[3]).isCloseTo(2.0 / 3, org.assertj.core.api.Assertions.within(1e-9));
    }

    @Test
    void warmRequestsAreNeutralAndDoNotTouchTheLru() {
        assertThat(Fixtures.score(scorer, ctx(0, 2, 0, 0))).containsOnly(0.5);
        scorer.preRequest(ctx(0, 2, 0, 0), null, eps.get(3));
        double[] s = Fixtures.score(scorer, ctx(0, 0, 0, 0));
        // all four still never used: candidate order decides, ep3 was not moved to most recently used
        assertThat(s[0]).isEqualTo(1.0);
        assertThat(s[3]).isZero();
        assertThat(s[1]).isGreaterThan(s[2]);
    }
}
