package dev.jetway.scheduler.plugins.filter;

import static dev.jetway.scheduler.Fixtures.context;
import static dev.jetway.scheduler.Fixtures.endpoints;
import static dev.jetway.scheduler.Fixtures.filter;
import static dev.jetway.scheduler.Fixtures.inFlight;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.plugins.producer.ApproxPrefixCacheProducer;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrefixCacheAffinityFilterTest {

    private final List<Endpoint> eps = endpoints(3);

    private SchedulingContext withMatches(int... matched) {
        SchedulingContext ctx = context(eps);
        ctx.put(PrefixMatchInfo.keyFor(ApproxPrefixCacheProducer.TYPE),
                new PrefixMatchInfo(ApproxPrefixCacheProducer.TYPE, matched, 10, 64, new long[10]));
        return ctx;
    }

    private static PrefixCacheAffinityFilter filterWith(double penaltyMs) {
        return new PrefixCacheAffinityFilter("f", new PrefixCacheAffinityFilter.Params(0.8, 0.0, penaltyMs,
                15928, ApproxPrefixCacheProducer.TYPE, null));
    }

    @Test
    void keepsOnlyEndpointsAboveTheThreshold() {
        assertThat(filter(filterWith(18000), withMatches(9, 3, 8))).containsExactly(eps.get(0), eps.get(2));
    }

    @Test
    void keepsAllWhenNobodyIsWarmEnough() {
        assertThat(filter(filterWith(18000), withMatches(7, 0, 1))).hasSize(3);
    }

    @Test
    void spillsOverWhenTheStickyEndpointsAreTooFarBehind() {
        // 1,000,000 queued prompt tokens at 15,928 tok/s is ~63 s of prefill: more than an 18 s penalty
        inFlight(eps.get(0), 10, 1_000_000);
        assertThat(filter(filterWith(18000), withMatches(10, 0, 0))).hasSize(3);
        assertThat(filter(filterWith(0), withMatches(10, 0, 0))).as("0 = always stick").containsExactly(eps.get(0));
        inFlight(eps.get(0), -10, -1_000_000);
    }
}
