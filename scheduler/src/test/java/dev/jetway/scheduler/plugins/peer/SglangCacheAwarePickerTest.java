package dev.jetway.scheduler.plugins.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.Pick;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.List;
import org.junit.jupiter.api.Test;

class SglangCacheAwarePickerTest {

    private final List<Endpoint> eps = Fixtures.endpoints(3);
    private final SglangCacheAwarePicker picker = new SglangCacheAwarePicker("s",
            new SglangCacheAwarePicker.Params(0.3, 64, 1.5, 1.0, 1.0, "approx-prefix-cache-producer", 1));

    private Pick pick(int... matched) {
        SchedulingContext ctx = Fixtures.context(eps);
        ctx.put(PrefixMatchInfo.keyFor("approx-prefix-cache-producer"),
                new PrefixMatchInfo("approx-prefix-cache-producer", matched, 10, 64, new long[10]));
        return picker.pick(ctx, new Candidates(eps), new double[eps.size()]);
    }

    @Test
    void balancedAndWarmGoesToTheLongestMatch() {
        Fixtures.inFlight(eps.get(2), 5, 0);
        try {
            Pick p = pick(1, 2, 8);
            assertThat(p.targets()).containsExactly(eps.get(2));
            assertThat(p.reason()).contains("above cache_threshold");
        } finally {
            Fixtures.inFlight(eps.get(2), -5, 0);
        }
    }

    @Test
    void coldGoesToTheLeastLoaded() {
        Fixtures.inFlight(eps.get(0), 3, 0);
        Fixtures.inFlight(eps.get(2), 1, 0);
        try {
            assertThat(pick(3, 0, 0).targets()).as("30% is not above 0.3").containsExactly(eps.get(1));
        } finally {
            Fixtures.inFlight(eps.get(0), -3, 0);
            Fixtures.inFlight(eps.get(2), -1, 0);
        }
    }

    @Test
    void imbalanceOverridesTheCache() {
        Fixtures.inFlight(eps.get(2), 100, 0);
        Fixtures.inFlight(eps.get(0), 20, 0);
        Fixtures.inFlight(eps.get(1), 30, 0);
        try {
            // spread 80 > 64 and 100 > 1.5 * 20
            Pick p = pick(0, 0, 10);
            assertThat(p.targets()).containsExactly(eps.get(0));
            assertThat(p.reason()).startsWith("imbalanced");
        } finally {
            Fixtures.inFlight(eps.get(2), -100, 0);
            Fixtures.inFlight(eps.get(0), -20, 0);
            Fixtures.inFlight(eps.get(1), -30, 0);
        }
    }
}
