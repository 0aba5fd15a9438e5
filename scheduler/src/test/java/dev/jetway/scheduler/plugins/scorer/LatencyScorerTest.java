package dev.jetway.scheduler.plugins.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.latency.LatencyPredictions;
import dev.jetway.scheduler.latency.SloTargets;
import dev.jetway.scheduler.plugins.producer.ApproxPrefixCacheProducer;
import dev.jetway.scheduler.spi.PrefixMatchInfo;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.List;
import org.junit.jupiter.api.Test;

/** llm-d's latency-scorer rules: tiers, idle preference, deficit buckets, strategies, composite fallback. */
class LatencyScorerTest {

    private static final String PRODUCER = "predicted-latency-producer";

    private static LatencyScorer scorer(String strategy) {
        return new LatencyScorer("s", new LatencyScorer.Params(0.8, 0.2, strategy.equals("most"), 1, 1, 1, PRODUCER,
                ApproxPrefixCacheProducer.TYPE));
    }

    /** Endpoints with the given predicted TTFT (s) and TPOT (s); {@code sloMs} the request's objectives. */
    private static SchedulingContext context(List<Endpoint> eps, double[] ttft, double[] tpot, String ttftSloMs,
                                             String tpotSloMs) {
        InferenceRequest.Builder b = InferenceRequest.builder("r").prompt("hello");
        if (ttftSloMs != null) {
            b.header(SloTargets.TTFT_HEADER, ttftSloMs);
        }
        if (tpotSloMs != null) {
            b.header(SloTargets.TPOT_HEADER, tpotSloMs);
        }
        InferenceRequest r = b.build();
        SchedulingContext ctx = Fixtures.context(r, eps);
        LatencyPredictions p = new LatencyPredictions(eps.size(), SloTargets.of(r), 1.0, 100, 0);
        for (int i = 0; i < eps.size(); i++) {
            p.set(i, ttft[i], tpot[i], 0, 0, 1, 0);
        }
        ctx.put(LatencyPredictions.keyFor(PRODUCER), p);
        return ctx;
    }

    private static List<Endpoint> busy(int n) {
        List<Endpoint> eps = Fixtures.endpoints(n);
        for (Endpoint e : eps) {
            Fixtures.inFlight(e, 1, 0);
        }
        return eps;
    }

    @Test
    void withoutObjectivesTheLowestPredictedLatencyScoresHighest() {
        List<Endpoint> eps = busy(3);
        double[] s = Fixtures.score(scorer("least"), context(eps, new double[] {0.5, 0.1, 0.3},
                new double[] {0.02, 0.02, 0.02}, null, null));
        assertThat(s[1]).isEqualTo(1.01);
        assertThat(s[1]).isGreaterThan(s[2]);
        assertThat(s[2]).isGreaterThan(s[0]);
        assertThat(s[0]).isEqualTo(0.01);
    }

    @Test
    void endpointsMeetingTheObjectivesAreTheOnlyOnesScoredAndLeastHeadroomBinPacks() {
        List<Endpoint> eps = busy(3);
        // SLO 400 ms TTFT: ep0 misses, ep1 has 300 ms headroom, ep2 50 ms
        SchedulingContext ctx = context(eps, new double[] {0.5, 0.1, 0.35}, new double[] {0.02, 0.02, 0.02}, "400",
                null);
        double[] least = Fixtures.score(scorer("least"), ctx);
        assertThat(least[0]).isZero();
        assertThat(least[2]).isGreaterThan(least[1]);
        double[] most = Fixtures.score(scorer("most"), ctx);
        assertThat(most[0]).isZero();
        assertThat(most[1]).isGreaterThan(most[2]);
    }

    @Test
    void whenNoneMeetsTheObjectivesIdleEndpointsComeFirstThenTheLeastSevereDeficit() {
        List<Endpoint> eps = busy(3);
        Endpoint idle = Fixtures.endpoint("idle", 0, 0, 0);
        List<Endpoint> withIdle = List.of(eps.get(0), eps.get(1), idle);
        double[] s = Fixtures.score(scorer("least"), context(withIdle, new double[] {0.5, 0.6, 2.0},
                new double[] {0.02, 0.02, 0.02}, "100", null));
        assertThat(s[0]).isZero();
        assertThat(s[1]).isZero();
        assertThat(s[2]).isPositive();
        // only-TPOT short beats only-TTFT short beats both short
        double[] d = Fixtures.score(scorer("least"), context(eps, new double[] {0.5, 0.05, 0.5},
                new double[] {0.01, 0.09, 0.09}, "100", "50"));
        assertThat(d[1]).isPositive();
        assertThat(d[0]).isZero();
        assertThat(d[2]).isZero();
    }

    @Test
    void withoutPredictionsFallsBackToKvQueueAndPrefix() {
        List<Endpoint> eps = List.of(Fixtures.endpoint("a", 4, 0, 0.9), Fixtures.endpoint("b", 0, 0, 0.1));
        SchedulingContext ctx = Fixtures.context(Fixtures.request("x"), eps);
        ctx.put(PrefixMatchInfo.keyFor(ApproxPrefixCacheProducer.TYPE),
                new PrefixMatchInfo(ApproxPrefixCacheProducer.TYPE, new int[] {4, 0}, 4, 64, new long[4]));
        double[] s = Fixtures.score(scorer("least"), ctx);
        assertThat(s[0]).isEqualTo(Math.round((0.1 + 0 + 1) / 3 * 100) / 100.0);
        assertThat(s[1]).isEqualTo(Math.round((0.9 + 1 + 0) / 3 * 100) / 100.0);
    }

    @Test
    void gieV1ParametersMapOntoTheScorer() {
        var node = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("headroomTTFTWeight", 0.5).put("headroomTPOTWeight", 0.5).put("samplingMean", 100)
                .put("headroomSelectionStrategy", "most").put("affinityGateTau", 0.8);
        LatencyScorer s = LatencyScorer.createGie("old", new PluginParameters("old", LatencyScorer.GIE_TYPE, node));
        assertThat(s.type()).isEqualTo("predicted-latency-scorer");
        assertThat(s.describeParameters()).contains("ttftWeight=0.5", "tpotWeight=0.5", "most");
    }
}
