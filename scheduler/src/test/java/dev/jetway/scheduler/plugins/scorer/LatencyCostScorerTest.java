package dev.jetway.scheduler.plugins.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.latency.LatencyPredictions;
import dev.jetway.scheduler.latency.SloTargets;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyCostScorerTest {

    private static final String PRODUCER = "predicted-latency-producer";

    /**
     * Predictions with 3 contenders everywhere; {@code prefill} the request's own prefill time per endpoint. The
     * model has no error yet, so the indifference band is 25%.
     */
    private static SchedulingContext context(List<Endpoint> eps, double[] ttft, double[] tpot, double[] prefill) {
        SchedulingContext ctx = Fixtures.context(eps);
        LatencyPredictions p = new LatencyPredictions(eps.size(), SloTargets.NONE, 1.0, 101, 50);
        for (int i = 0; i < eps.size(); i++) {
            p.set(i, ttft[i], tpot[i], prefill[i], 0.001, 3, 0);
        }
        ctx.put(LatencyPredictions.keyFor(PRODUCER), p);
        return ctx;
    }

    private static LatencyCostScorer scorer(LatencyCostScorer.Objective objective, double othersWeight) {
        return new LatencyCostScorer("c", new LatencyCostScorer.Params(objective, true, othersWeight, Double.NaN,
                true, PRODUCER));
    }

    @Test
    void scoresTheCheapestEndpointOneAndTheOthersInProportion() {
        List<Endpoint> eps = Fixtures.endpoints(3);
        SchedulingContext ctx = context(eps, new double[] {0.2, 0.4, 1.0}, new double[] {0.01, 0.01, 0.01},
                new double[] {0, 0, 0});
        double[] s = Fixtures.score(scorer(LatencyCostScorer.Objective.TTFT, 0), ctx);
        assertThat(s).containsExactly(new double[] {1.0, 0.5, 0.2}, offset(1e-9));
    }

    @Test
    void theE2eObjectiveCountsTheExpectedOutputAtThePredictedTpot() {
        List<Endpoint> eps = Fixtures.endpoints(2);
        // TTFT favours ep0, but its decode is twice as slow over 100 more tokens: 0.2 + 2.0 vs 0.4 + 1.0
        SchedulingContext ctx = context(eps, new double[] {0.2, 0.4}, new double[] {0.02, 0.01}, new double[] {0, 0});
        assertThat(Fixtures.score(scorer(LatencyCostScorer.Objective.TTFT, 0), ctx)[0]).isEqualTo(1.0);
        double[] e2e = Fixtures.score(scorer(LatencyCostScorer.Objective.E2E, 0), ctx);
        assertThat(e2e[1]).isEqualTo(1.0);
        assertThat(e2e[0]).isCloseTo(1.4 / 2.2, offset(1e-9));
    }

    @Test
    void itlCostWeightAddsWhatTheRequestCostsTheRequestsDecodingThere() {
        List<Endpoint> eps = Fixtures.endpoints(2);
        // ep0 answers first, but its 1 s prefill stalls 3 contenders: 0.2 + 3 × (1.0 + 50 × 0.001) vs 0.5 + 3 × 0.15
        SchedulingContext ctx = context(eps, new double[] {0.2, 0.5}, new double[] {0.01, 0.01},
                new double[] {1.0, 0.1});
        assertThat(Fixtures.score(scorer(LatencyCostScorer.Objective.TTFT, 0), ctx)[0]).isEqualTo(1.0);
        double[] s = Fixtures.score(scorer(LatencyCostScorer.Objective.TTFT, 1), ctx);
        assertThat(s[1]).isEqualTo(1.0);
        assertThat(s[0]).isCloseTo((0.5 + 0.45) / (0.2 + 3.15), offset(1e-9));
    }

    @Test
    void onABackloggedPoolThePrefillOthersWillWaitForKeepsTheRequestWhereItsPrefixIsCached() {
        List<Endpoint> eps = Fixtures.endpoints(2);
        SchedulingContext ctx = Fixtures.context(eps);
        LatencyPredictions p = new LatencyPredictions(2, SloTargets.NONE, 1.0, 10, 5);
        // "holder" caches the prefix (0.05 s of prefill left) but has 1 s of queue; "cold" is idle, 0.5 s prefill
        p.set(0, 1.05, 0.01, 0.05, 0.001, 0, 5);
        p.set(1, 0.50, 0.01, 0.50, 0.001, 0, 5);
        ctx.put(LatencyPredictions.keyFor(PRODUCER), p);
        LatencyCostScorer greedy = new LatencyCostScorer("c", new LatencyCostScorer.Params(
                LatencyCostScorer.Objective.TTFT, false, 0, 0, true, PRODUCER));
        assertThat(Fixtures.score(greedy, ctx)[1]).isEqualTo(1.0);
        // with 5 req/s to each: holder 1.05 + 0.05 × 5 × 1.0 = 1.3; cold 0.5 + 0 + 0.45 × 5 × 0.5 (mean wait) = 1.625
        LatencyCostScorer queueing = new LatencyCostScorer("c", new LatencyCostScorer.Params(
                LatencyCostScorer.Objective.TTFT, true, 0, 0, true, PRODUCER));
        double[] s = Fixtures.score(queueing, ctx);
        assertThat(s[0]).isEqualTo(1.0);
        assertThat(s[1]).isCloseTo(1.3 / 1.625, offset(1e-9));
        // an idle pool sends nothing behind anyone: back to the lowest TTFT
        p.set(0, 1.05, 0.01, 0.05, 0.001, 0, 0);
        p.set(1, 0.50, 0.01, 0.50, 0.001, 0, 0);
        assertThat(Fixtures.score(queueing, ctx)[1]).isEqualTo(1.0);
    }

    @Test
    void costsWithinTheModelsErrorCountAsEqualAndTheEmptierKvCacheWins() {
        List<Endpoint> eps = List.of(Fixtures.endpoint("full", 0, 0, 0.9), Fixtures.endpoint("empty", 0, 0, 0.1),
                Fixtures.endpoint("slow", 0, 0, 0.0));
        SchedulingContext ctx = context(eps, new double[] {0.20, 0.22, 0.40}, new double[] {0.01, 0.01, 0.01},
                new double[] {0, 0, 0});
        LatencyPredictions p = ctx.get(LatencyPredictions.keyFor(PRODUCER));
        p.ttftError(0.15); // 0.22 is within 15% of 0.20; 0.40 is not
        double[] s = Fixtures.score(scorer(LatencyCostScorer.Objective.TTFT, 0), ctx);
        double edge = 1 / 1.15;
        assertThat(s[1]).isGreaterThan(s[0]);
        assertThat(s[0]).isCloseTo(1 - (1 - edge) / 2 * 0.9, offset(1e-9));
        assertThat(s[2]).isCloseTo(0.5, offset(1e-9)).isLessThan(Math.min(s[0], s[1]));
        // a model this unsure (80%) still only gets a 50% band: 0.40 stays out
        p.ttftError(0.8);
        assertThat(Fixtures.score(scorer(LatencyCostScorer.Objective.TTFT, 0), ctx)[2]).isCloseTo(0.5, offset(1e-9));
        // indifference 0: a strict arg-min
        LatencyCostScorer strict = new LatencyCostScorer("c", new LatencyCostScorer.Params(
                LatencyCostScorer.Objective.TTFT, true, 0, 0, true, PRODUCER));
        double[] st = Fixtures.score(strict, ctx);
        assertThat(st[0]).isEqualTo(1.0);
        assertThat(st[1]).isCloseTo(0.20 / 0.22, offset(1e-9));
    }

    @Test
    void withinTheBandLessPrefillWorkComesBeforeAnEmptierCache() {
        // "holder" has the prefix cached (0.05 s of prefill left) but a fuller KV cache; "cold" would prefill 0.3 s
        List<Endpoint> eps = List.of(Fixtures.endpoint("holder", 0, 0, 0.9), Fixtures.endpoint("cold", 0, 0, 0.1));
        SchedulingContext ctx = context(eps, new double[] {0.33, 0.30}, new double[] {0.01, 0.01},
                new double[] {0.05, 0.30});
        double[] s = Fixtures.score(scorer(LatencyCostScorer.Objective.TTFT, 0), ctx);
        assertThat(s[0]).isGreaterThan(s[1]);
        assertThat(s[1]).isGreaterThanOrEqualTo(1 / 1.25);
        // withinBand: emptiest-cache ranks by KV alone
        LatencyCostScorer kvOnly = new LatencyCostScorer("c", new LatencyCostScorer.Params(
                LatencyCostScorer.Objective.TTFT, true, 0, Double.NaN, false, PRODUCER));
        double[] k = Fixtures.score(kvOnly, ctx);
        assertThat(k[1]).isGreaterThan(k[0]);
    }

    @Test
    void withoutPredictionsEveryEndpointScoresOne() {
        assertThat(Fixtures.score(scorer(LatencyCostScorer.Objective.TTFT, 1), Fixtures.context(Fixtures.endpoints(2))))
                .containsExactly(1.0, 1.0);
    }
}
