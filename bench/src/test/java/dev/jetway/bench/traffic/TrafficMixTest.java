package dev.jetway.bench.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.bench.load.LoadProfile;
import dev.jetway.bench.load.LoadStage;
import dev.jetway.bench.load.PlannedRequest;
import dev.jetway.bench.load.RequestPlan;
import dev.jetway.bench.workload.IntDistribution;
import dev.jetway.bench.workload.RandomWorkload;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrafficMixTest {

    private static final TrafficMix SIX = new TrafficMix(List.of(
            TrafficClass.of("a-critical", 0.1, "tenant-a", "critical", 10),
            TrafficClass.of("a-standard", 0.15, "tenant-a", "standard", 0),
            TrafficClass.of("a-batch", 0.25, "tenant-a", "batch", -1),
            TrafficClass.of("b-critical", 0.1, "tenant-b", "critical", 10),
            TrafficClass.of("b-standard", 0.15, "tenant-b", "standard", 0),
            TrafficClass.of("b-batch", 0.25, "tenant-b", "batch", -1)), 42);

    @Test
    void everyBlockOfAHundredRequestsHoldsEachClassExactShare() {
        TrafficMix.Assignment a = SIX.assignment();
        for (int block = 0; block < 3; block++) {
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < TrafficMix.BLOCK; i++) {
                counts.merge(a.classOf((long) block * TrafficMix.BLOCK + i).name(), 1, Integer::sum);
            }
            assertThat(counts).containsEntry("a-critical", 10).containsEntry("b-standard", 15)
                    .containsEntry("b-batch", 25);
        }
    }

    @Test
    void quotasThatAreNotWholeRequestsRoundUpInTheirFractionOfTheBlocksSoTheLongRunShareIsExact() {
        TrafficMix thirds = new TrafficMix(List.of(TrafficClass.of("x", 1 / 3.0, null, null, 0),
                TrafficClass.of("y", 1 / 3.0, null, null, 0), TrafficClass.of("z", 1 / 3.0, null, null, 0)), 1);
        TrafficMix.Assignment a = thirds.assignment();
        Map<String, Integer> total = new HashMap<>();
        int blocks = 3000;
        for (int b = 0; b < blocks; b++) {
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < TrafficMix.BLOCK; i++) {
                counts.merge(a.classOf((long) b * TrafficMix.BLOCK + i).name(), 1, Integer::sum);
            }
            assertThat(counts.values()).containsExactlyInAnyOrder(34, 33, 33); // every block within one request
            counts.forEach((k, v) -> total.merge(k, v, Integer::sum));
        }
        // 100,000 each in the long run: the extra card goes to each class in a third of the blocks (binomial, 3,000
        // blocks: standard deviation ~26 requests; 5 sigma)
        assertThat(total.values()).allSatisfy(n -> assertThat(n).isBetween(100_000 - 130, 100_000 + 130));
        // a quota within the share tolerance of a whole number never deals a card too many or too few
        TrafficMix almost = new TrafficMix(List.of(TrafficClass.of("p", 0.7 + 4e-7, null, null, 0),
                TrafficClass.of("q", 0.3, null, null, 0)), 1);
        for (double offset : new double[] {0, 1e-9, 0.5, 1 - 1e-9}) {
            assertThat(almost.counts(offset)).containsExactly(70, 30);
        }
    }

    @Test
    void theAssignmentDependsOnlyOnTheSeedAndIsShuffled() {
        TrafficMix.Assignment a = SIX.assignment();
        TrafficMix.Assignment b = SIX.assignment();
        TrafficMix.Assignment other = new TrafficMix(SIX.classes(), 43).assignment();
        int differ = 0;
        int runsOfTheFirstClass = 0;
        for (int i = 0; i < 2000; i++) {
            assertThat(a.classOf(i)).isSameAs(b.classOf(i));
            differ += a.classOf(i) == other.classOf(i) ? 0 : 1;
            runsOfTheFirstClass += i > 0 && a.classOf(i) == SIX.classes().getFirst()
                    && a.classOf(i - 1) != SIX.classes().getFirst() ? 1 : 0;
        }
        assertThat(differ).isGreaterThan(1000);
        assertThat(runsOfTheFirstClass).isGreaterThan(150); // 200 requests interleaved, not dealt in runs
        // random access: a later block first, then an earlier one, gives the same classes
        TrafficMix.Assignment c = SIX.assignment();
        TrafficClass late = c.classOf(1550);
        assertThat(c.classOf(3)).isSameAs(a.classOf(3));
        assertThat(late).isSameAs(a.classOf(1550));
    }

    @Test
    void aPlanWithClassesHasTheSameSendTimesAndRequestsAsWithout() {
        RandomWorkload w = new RandomWorkload(IntDistribution.of(10), IntDistribution.of(5), 0, 1);
        LoadProfile load = LoadProfile.poisson(new LoadStage(100, 10));
        RequestPlan plain = RequestPlan.build(w, load, 0);
        RequestPlan classed = RequestPlan.build(w, load, 0, SIX);
        assertThat(classed.requests()).hasSameSizeAs(plain.requests());
        assertThat(classed.classes()).isEqualTo(SIX.classes());
        assertThat(plain.classes()).isEmpty();
        for (int i = 0; i < plain.requests().size(); i++) {
            PlannedRequest p = plain.requests().get(i);
            PlannedRequest c = classed.requests().get(i);
            assertThat(c.sendAtNanos()).isEqualTo(p.sendAtNanos());
            assertThat(c.request()).isEqualTo(p.request());
            assertThat(p.trafficClass()).isNull();
            assertThat(c.trafficClass()).isSameAs(SIX.assignment().classOf(i));
        }
    }

    @Test
    void invalidMixesAreRefused() {
        assertThatThrownBy(() -> new TrafficMix(List.of(TrafficClass.of("a", 0.5, null, null, 0)), 1))
                .hasMessageContaining("add up to 0.5");
        assertThatThrownBy(() -> new TrafficMix(List.of(TrafficClass.of("a", 0.5, null, null, 0),
                TrafficClass.of("a", 0.5, null, null, 0)), 1)).hasMessageContaining("two traffic classes are named a");
        assertThat(TrafficMix.NONE.assignment().classOf(5)).isNull();
    }
}
