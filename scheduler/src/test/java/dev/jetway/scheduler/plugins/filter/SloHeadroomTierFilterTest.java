package dev.jetway.scheduler.plugins.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.Fixtures;
import dev.jetway.scheduler.InferenceRequest;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.latency.LatencyPredictions;
import dev.jetway.scheduler.latency.SloTargets;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SloHeadroomTierFilterTest {

    private static final String PRODUCER = "predicted-latency-producer";

    private static List<Endpoint> run(SloHeadroomTierFilter f, String ttftSloMs, long seed, double... ttft) {
        List<Endpoint> eps = Fixtures.endpoints(ttft.length);
        InferenceRequest.Builder b = InferenceRequest.builder("r").prompt("p");
        if (ttftSloMs != null) {
            b.header(SloTargets.TTFT_HEADER, ttftSloMs);
        }
        InferenceRequest r = b.build();
        SchedulingContext ctx = new SchedulingContext(r, eps, SchedulerEnvironment.deterministic(() -> 0, seed));
        LatencyPredictions p = new LatencyPredictions(eps.size(), SloTargets.of(r), 1.0, 10, 0);
        for (int i = 0; i < ttft.length; i++) {
            p.set(i, ttft[i], 0.01, 0, 0, 0, 0);
        }
        ctx.put(LatencyPredictions.keyFor(PRODUCER), p);
        Candidates c = new Candidates(eps);
        f.filter(ctx, c);
        List<Endpoint> out = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            out.add(c.get(i));
        }
        return out;
    }

    @Test
    void keepsTheEndpointsPredictedToMeetTheObjective() {
        SloHeadroomTierFilter f = new SloHeadroomTierFilter("f", 0, PRODUCER);
        assertThat(run(f, "300", 1, 0.5, 0.2, 0.25)).extracting(Endpoint::id).containsExactly("ep1", "ep2");
    }

    @Test
    void keepsEveryoneWithoutObjectivesOrWhenOnlyOneTierExists() {
        SloHeadroomTierFilter f = new SloHeadroomTierFilter("f", 0, PRODUCER);
        assertThat(run(f, null, 1, 0.5, 0.2)).hasSize(2);
        assertThat(run(f, "100", 1, 0.5, 0.2)).hasSize(2);
        assertThat(run(f, "900", 1, 0.5, 0.2)).hasSize(2);
    }

    @Test
    void exploresTheOtherTierWithTheConfiguredProbability() {
        SloHeadroomTierFilter f = new SloHeadroomTierFilter("f", 0.25, PRODUCER);
        int explored = 0;
        for (long seed = 0; seed < 400; seed++) {
            if (run(f, "300", seed, 0.5, 0.2).getFirst().id().equals("ep0")) {
                explored++;
            }
        }
        assertThat(explored).isBetween(70, 130);
    }
}
