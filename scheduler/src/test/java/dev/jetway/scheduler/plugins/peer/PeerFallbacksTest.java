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

/**
 * With {@code maxNumOfEndpoints} > 1 the peer pickers return their choice first and then retry fallbacks, lowest
 * key first (SGLang: load; Dynamo: cost), equal keys in candidate order.
 */
class PeerFallbacksTest {

    private static final String PRODUCER = "approx-prefix-cache-producer";

    private final List<Endpoint> eps = Fixtures.endpoints(5);

    private Pick pick(dev.jetway.scheduler.spi.Picker picker, int totalBlocks, int... matched) {
        SchedulingContext ctx = Fixtures.context(eps);
        ctx.put(PrefixMatchInfo.keyFor(PRODUCER),
                new PrefixMatchInfo(PRODUCER, matched, totalBlocks, 64, new long[totalBlocks]));
        return picker.pick(ctx, new Candidates(eps), new double[eps.size()]);
    }

    private void loads(int... requests) {
        for (int i = 0; i < requests.length; i++) {
            Fixtures.inFlight(eps.get(i), requests[i], 0);
        }
    }

    private static SglangCacheAwarePicker sglang(int maxNumOfEndpoints) {
        return new SglangCacheAwarePicker("s",
                new SglangCacheAwarePicker.Params(0.3, 64, 1.5, 1.0, 1.0, PRODUCER, maxNumOfEndpoints));
    }

    private static DynamoKvCostPicker dynamo(int maxNumOfEndpoints) {
        return new DynamoKvCostPicker("d", new DynamoKvCostPicker.Params(1.0, 1.0, 0.0, PRODUCER, maxNumOfEndpoints));
    }

    @Test
    void sglangColdRequestFallsBackToTheNextLeastLoadedInCandidateOrder() {
        loads(3, 1, 0, 1, 2);
        assertThat(pick(sglang(4), 10, 0, 0, 0, 0, 0).targets())
                .containsExactly(eps.get(2), eps.get(1), eps.get(3), eps.get(4));
    }

    @Test
    void sglangWarmRequestPutsTheCachedEndpointFirstThenTheRestByLoad() {
        loads(3, 1, 0, 1, 2);
        assertThat(pick(sglang(3), 10, 9, 0, 0, 0, 0).targets())
                .containsExactly(eps.get(0), eps.get(2), eps.get(1));
    }

    @Test
    void sglangAskedForMoreThanThereAreReturnsEveryEndpointOnce() {
        loads(3, 1, 0, 1, 2);
        assertThat(pick(sglang(50), 10, 0, 0, 0, 0, 0).targets())
                .containsExactly(eps.get(2), eps.get(1), eps.get(3), eps.get(4), eps.get(0));
    }

    @Test
    void dynamoFallsBackToTheNextCheapestInCandidateOrder() {
        // nothing in flight: cost = (100 - overlap) + 100 → 200, 150, 150, 100, 190
        assertThat(pick(dynamo(4), 100, 0, 50, 50, 100, 10).targets())
                .containsExactly(eps.get(3), eps.get(1), eps.get(2), eps.get(4));
    }

    @Test
    void dynamoAskedForMoreThanThereAreReturnsEveryEndpointOnce() {
        assertThat(pick(dynamo(9), 100, 0, 50, 50, 100, 10).targets())
                .containsExactly(eps.get(3), eps.get(1), eps.get(2), eps.get(4), eps.get(0));
    }

    @Test
    void oneEndpointAskedForIsJustTheChoice() {
        loads(3, 1, 0, 1, 2);
        assertThat(pick(sglang(1), 10, 0, 0, 0, 0, 0).targets()).containsExactly(eps.get(2));
        assertThat(pick(dynamo(1), 100, 0, 50, 50, 100, 10).targets()).containsExactly(eps.get(3));
    }
}
