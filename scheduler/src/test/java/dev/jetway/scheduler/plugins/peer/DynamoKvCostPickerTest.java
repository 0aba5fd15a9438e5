package dev.jetway.scheduler.plugins.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DynamoKvCostPickerTest {

    private final List<Endpoint> eps = Fixtures.endpoints(3);

    private static DynamoKvCostPicker picker(double scale, double temperature) {
        return new DynamoKvCostPicker("d", new DynamoKvCostPicker.Params(scale, 1.0, temperature,
                "approx-prefix-cache-producer", 1));
    }

    private SchedulingContext ctx(int... matched) {
        SchedulingContext c = Fixtures.context(eps);
        c.put(PrefixMatchInfo.keyFor("approx-prefix-cache-producer"),
                new PrefixMatchInfo("approx-prefix-cache-producer", matched, 100, 64, new long[100]));
        return c;
    }

    @Test
    void costFollowsDynamosFormula() {
        // endpoint 0: 640 tokens still to prefill = 10 blocks; 12,800 uncached tokens of running requests = 200 blocks
        Fixtures.inFlight(eps.get(0), 1, 640, 12_800);
        try {
            DynamoKvCostPicker p = picker(2.0, 0);
            double cost = p.cost(new Candidates(eps), 0, ctx(30, 0, 0).get(
                    PrefixMatchInfo.keyFor("approx-prefix-cache-producer")), 64);
            // prefill = 10 + 100 - 30 = 80, decode = 200 + 100
            assertThat(cost).isCloseTo(2.0 * 80 + 300, within(1e-9));
        } finally {
            Fixtures.inFlight(eps.get(0), -1, -640, -12_800);
        }
    }

    @Test
    void overlapWinsWhenLoadIsEqualAndZeroScaleIgnoresIt() {
        var c = ctx(0, 90, 10);
        assertThat(picker(1.0, 0).pick(c, new Candidates(eps), new double[3]).targets()).containsExactly(eps.get(1));
        // With scale 0 cost is decode load only: all equal, so any endpoint may win
        Map<Endpoint, Integer> wins = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            wins.merge(picker(0.0, 0).pick(c, new Candidates(eps), new double[3]).targets().getFirst(), 1,
                    Integer::sum);
        }
        assertThat(wins).hasSize(3);
    }

    @Test
    void temperatureSpreadsChoices() {
        var c = ctx(0, 90, 10);
        Map<Endpoint, Integer> wins = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            wins.merge(picker(1.0, 0.5).pick(c, new Candidates(eps), new double[3]).targets().getFirst(), 1,
                    Integer::sum);
        }
        assertThat(wins).hasSize(3);
        assertThat(wins.get(eps.get(1))).isGreaterThan(wins.get(eps.get(2))).isGreaterThan(wins.get(eps.get(0)));
    }
}
