package dev.jetway.engine.vllm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.engine.EngineRequest;
import dev.jetway.engine.KvTransfer;
import dev.jetway.kvcache.event.KvEvent;
import dev.jetway.kvcache.event.KvEventBatch;
import dev.jetway.kvcache.index.precise.EndpointStats;
import dev.jetway.kvcache.index.precise.PreciseIndexConfig;
import dev.jetway.kvcache.index.precise.PrecisePrefixIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The precise index finds runs by bisection, trusting that an engine never holds a block without its parent (vLLM
 * frees a request's blocks tail first, so eviction takes descendants before their prefix). Fed the simulated engine's
 * KV events under memory pressure, preemption and aborts, the index must predict exactly the prefix the engine then
 * hits, and its closure audit must never find a gap.
 */
class PrefixClosureTest {

    private static final String MODEL = "toy/model";
    private static final String NAME = "10.0.0.1:8000";
    private static final int BS = 16;

    private final PrecisePrefixIndex index = new PrecisePrefixIndex(PreciseIndexConfig.defaults(BS));
    private final int endpoint = index.addEndpoint(NAME, MODEL);
    private long removed;

    private void deliver(Driver d) {
        List<KvEvent> events = d.events.stream().map(Driver.TimedEvent::event).toList();
        removed += events.stream().filter(e -> e instanceof KvEvent.BlockRemoved).count();
        index.apply(endpoint, new KvEventBatch(0, events, null));
        d.events.clear();
    }

    /** A prompt of one of three shared prefixes (system prompts, documents), cut anywhere, plus its own suffix. */
    private static int[] prompt(Random rng, int i, List<int[]> earlier) {
        if (!earlier.isEmpty() && rng.nextInt(3) == 0) { // a later turn of an earlier conversation
            int[] before = earlier.get(rng.nextInt(earlier.size()));
            return Driver.concat(before, Driver.tokens(900_000 + i * 100, 1 + rng.nextInt(60)));
        }
        int[][] prefixes = {Driver.tokens(1, 300), Driver.tokens(10_000, 200), Driver.tokens(20_000, 400)};
        int[] prefix = prefixes[rng.nextInt(prefixes.length)];
        int cut = rng.nextInt(4) == 0 ? rng.nextInt(prefix.length) : prefix.length;
        return Driver.concat(java.util.Arrays.copyOf(prefix, cut), Driver.tokens(50_000 + i * 100, 1 + rng.nextInt(120)));
    }

    @Test
    void theIndexPredictsEachHitOfAnEngineThatEvicts() {
        Driver engine = new Driver(ToyProfile.config(BS, 120));
        Random rng = new Random(3);
        List<int[]> earlier = new ArrayList<>();
        int predictedBlocks = 0;
        for (int i = 0; i < 200; i++) {
            int[] prompt = prompt(rng, i, earlier);
            earlier.add(prompt);
            deliver(engine);
            int predicted = index.match(MODEL, null, null, prompt).blocks(NAME);
            Driver.Trace trace = engine.submit(new EngineRequest("r" + i, prompt, 4, 0, true, null, null,
                    KvTransfer.NONE));
            engine.runToIdle();
            int canHit = (prompt.length - 1) / BS; // the engine always computes the last token
            assertThat(trace.cachedAtSchedule).as("request " + i).isEqualTo(Math.min(predicted, canHit) * BS);
            predictedBlocks += predicted;
            index.expireDue(); // audits this lookup's chain
        }
        deliver(engine);
        assertThat(removed).as("the cache was under pressure").isGreaterThan(500);
        assertThat(predictedBlocks).as("and still had hits").isGreaterThan(2_000);
        assertNoGap();
    }

    @Test
    void preemptionAndAbortsKeepTheEnginesCachePrefixClosed() {
        Driver engine = new Driver(ToyProfile.config(BS, 120).withMaxNumBatchedTokens(512));
        Random rng = new Random(7);
        List<int[]> earlier = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            int[] prompt = prompt(rng, i, earlier);
            earlier.add(prompt);
            engine.submit(new EngineRequest("r" + i, prompt, 40, 2, i % 3 == 0, null, null, KvTransfer.NONE));
            engine.runUntil(engine.clock.nanos() + rng.nextInt(50_000_000));
            if (i % 17 == 5) {
                engine.engine.abort("r" + (i - 1));
            }
            deliver(engine);
            for (int k = 0; k < 3; k++) {
                index.match(MODEL, null, null, earlier.get(rng.nextInt(earlier.size())));
                index.expireDue();
            }
        }
        engine.runToIdle();
        deliver(engine);
        assertThat(engine.engine.stats().toString()).doesNotContain("preemptions=0,");
        assertThat(removed).isGreaterThan(500);
        assertNoGap();
    }

    private void assertNoGap() {
        EndpointStats stats = index.endpointStats(endpoint);
        assertThat(stats.gapsFound()).isZero();
        assertThat(stats.gapped()).isFalse();
        assertThat(stats.orphanBlocks()).isZero();
    }
}
