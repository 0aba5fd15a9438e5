package dev.jetway.scheduler.plugins.picker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** max-score, random, weighted-random and round-robin pickers. */
class PickersTest {

    private final List<Endpoint> eps = Fixtures.endpoints(4);

    private List<Endpoint> pick(dev.jetway.scheduler.spi.Picker picker, SchedulingContext ctx, double... totals) {
        return picker.pick(ctx, new Candidates(eps), totals).targets();
    }

    @Test
    void maxScorePicksTheBestAndOrdersFallbacks() {
        var p = new MaxScorePicker("m", 3, Fixtures.env(1));
        assertThat(pick(p, Fixtures.context(eps), 0.1, 0.9, 0.5, 0.7)).containsExactly(eps.get(1), eps.get(3),
                eps.get(2));
    }

    @Test
    void maxScoreOrdersManyFallbacksBySortingToo() {
        List<Endpoint> ten = Fixtures.endpoints(10);
        double[] totals = {0.5, 0.1, 0.9, 0.3, 0.8, 0.2, 0.7, 0.0, 0.6, 0.4};
        var p = new MaxScorePicker("m", 9, Fixtures.env(1));
        List<Endpoint> out = p.pick(Fixtures.context(ten), new Candidates(ten), totals).targets();
        assertThat(out).containsExactly(ten.get(2), ten.get(4), ten.get(6), ten.get(8), ten.get(0), ten.get(9),
                ten.get(3), ten.get(5), ten.get(1));
    }

    @Test
    void maxScoreBreaksTiesAtRandomButReproduciblyWithASeed() {
        Map<Endpoint, Integer> wins = new HashMap<>();
        var p = new MaxScorePicker("m", 1, Fixtures.env(1));
        SchedulingContext ctx = Fixtures.context(eps); // one seeded generator across calls
        for (int i = 0; i < 4000; i++) {
            wins.merge(pick(p, ctx, 1.0, 0.2, 1.0, 1.0).getFirst(), 1, Integer::sum);
        }
        assertThat(wins).doesNotContainKey(eps.get(1));
        assertThat(wins.values()).allSatisfy(n -> assertThat(n).isBetween(1150, 1550));
        // same seed, same sequence
        var again = Fixtures.context(eps);
        var other = Fixtures.context(eps);
        for (int i = 0; i < 50; i++) {
            assertThat(pick(p, again, 1, 1, 1, 1)).isEqualTo(pick(p, other, 1, 1, 1, 1));
        }
    }

    @Test
    void randomPickerIgnoresScores() {
        Map<Endpoint, Integer> wins = new HashMap<>();
        var p = new RandomPicker("r", 1);
        SchedulingContext ctx = Fixtures.context(eps);
        for (int i = 0; i < 4000; i++) {
            wins.merge(pick(p, ctx, 1, 0, 0, 0).getFirst(), 1, Integer::sum);
        }
        assertThat(wins).hasSize(4);
        assertThat(wins.values()).allSatisfy(n -> assertThat(n).isBetween(850, 1150));
        assertThat(pick(new RandomPicker("r", 3), ctx, 0, 0, 0, 0)).hasSize(3).doesNotHaveDuplicates();
    }

    @Test
    void weightedRandomFollowsScoresAndNeverPicksZero() {
        Map<Endpoint, Integer> wins = new HashMap<>();
        var p = new WeightedRandomPicker("w", 1);
        SchedulingContext ctx = Fixtures.context(eps);
        for (int i = 0; i < 8000; i++) {
            wins.merge(pick(p, ctx, 3, 1, 0, 0).getFirst(), 1, Integer::sum);
        }
        assertThat(wins).containsOnlyKeys(eps.get(0), eps.get(1));
        assertThat(wins.get(eps.get(0)) / (double) wins.get(eps.get(1))).isBetween(2.6, 3.4);
        assertThat(pick(p, ctx, 0, 0, 0, 0)).as("all zero: uniform").hasSize(1);
    }

    @Test
    void roundRobinCycles() {
        var p = new RoundRobinPicker("rr", 2);
        SchedulingContext ctx = Fixtures.context(eps);
        assertThat(pick(p, ctx, 0, 0, 0, 0)).containsExactly(eps.get(0), eps.get(1));
        assertThat(pick(p, ctx, 0, 0, 0, 0)).containsExactly(eps.get(1), eps.get(2));
        pick(p, ctx, 0, 0, 0, 0);
        assertThat(pick(p, ctx, 0, 0, 0, 0)).containsExactly(eps.get(3), eps.get(0));
    }
}
