package dev.jetway.kvcache.index.precise;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.kvcache.event.KvEvent;
import dev.jetway.kvcache.event.KvEventBatch;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Whatever the run lengths, holes and tiers, each endpoint's match must be exactly its run of held blocks from block
 * 0, as a plain scan of what the test stored and removed says. Endpoints without holes are found by bisection; a hole
 * (a block removed before its descendants, which engines never do) is found by the closure audit, after which that
 * endpoint is read block by block.
 */
class PrefixMatchExactnessTest {

    private static final int BS = 4;
    private static final int BLOCKS = 300;
    private static final String MODEL = "m";
    /** Lengths around the edges of the windows an earlier lookup read blocks in, plus the extremes. */
    private static final int[] EDGES = {1, 7, 8, 9, 23, 24, 25, 55, 56, 57, 119, 120, 121, 183, 184, 299, BLOCKS};

    @Test
    void longChainsMatchAPlainScanOfWhatEachEndpointHolds() {
        for (int seed = 0; seed < 12; seed++) {
            checkOneIndex(new SplittableRandom(seed), 24);
        }
    }

    /** Over 64 endpoints, each group of 64 ids is bisected on its own, gapped endpoints included. */
    @Test
    void poolsOfSeveralEndpointGroupsMatchAPlainScanToo() {
        for (int seed = 100; seed < 104; seed++) {
            checkOneIndex(new SplittableRandom(seed), 150);
        }
    }

    private void checkOneIndex(SplittableRandom random, int endpoints) {
        PrecisePrefixIndex index = new PrecisePrefixIndex(PreciseIndexConfig.defaults(BS));
        int[] prompt = random.ints((long) BLOCKS * BS, 0, 50_000).toArray();
        String[] names = new String[endpoints];
        int[] expected = new int[endpoints];
        boolean[] punched = new boolean[endpoints];
        for (int e = 0; e < endpoints; e++) {
            names[e] = "10.0." + random.nextInt(3) + "." + e + ":8000"; // name order differs from id order
            int id = index.addEndpoint(names[e], MODEL);
            FakeVllmEngine engine = new FakeVllmEngine(BS);
            int held = random.nextInt(4) == 0 ? 0 : random.nextBoolean()
                    ? EDGES[random.nextInt(EDGES.length)] : 1 + random.nextInt(BLOCKS);
            // stored in one to three events, each chaining from the last block of the one before
            for (int stored = 0; stored < held; ) {
                stored = Math.min(held, stored + 1 + random.nextInt(held));
                KvEvent.BlockStored event = engine.store(Arrays.copyOf(prompt, stored * BS));
                index.apply(id, new KvEventBatch(1, List.of(event), null));
            }
            expected[e] = held;
            if (held > 1 && random.nextBoolean()) {
                int hole = random.nextInt(held);
                long[] hashes = engine.hashesOf(Arrays.copyOf(prompt, held * BS));
                index.apply(id, new KvEventBatch(1, List.of(new KvEvent.BlockRemoved(
                        new long[] {hashes[hole]}, null)), null));
                expected[e] = hole;
                punched[e] = true;
            }
        }
        long[] keys = index.requestKeys(MODEL, null, null, prompt);
        index.match(keys);
        index.expireDue(); // the closure audit: endpoints with a hole are read block by block from now on
        for (int e = 0; e < endpoints; e++) {
            if (!punched[e]) {
                assertThat(index.endpointStats(e).gapped()).as("no hole, no gap: " + names[e]).isFalse();
            }
        }
        assertMatches(index.match(keys), names, expected, "GPU only");

        int speculated = random.nextInt(endpoints);
        index.speculate(speculated, keys);
        expected[speculated] = BLOCKS; // speculation covers every block the endpoint lacks, holes included
        assertMatches(index.match(keys), names, expected, "with a speculative endpoint");

        int extra = index.addEndpoint("10.9.9.9:8000", MODEL);
        FakeVllmEngine cpuEngine = new FakeVllmEngine(BS);
        index.apply(extra, new KvEventBatch(1, List.of(cpuEngine.store(new int[] {9, 9, 9, 9}, null, null, "CPU")),
                null));
        assertMatches(index.match(keys), names, expected, "tiered (the general path)");
    }

    private static void assertMatches(PrefixMatches matches, String[] names, int[] expected, String what) {
        for (int e = 0; e < names.length; e++) {
            assertThat(matches.blocks(names[e])).as(what + ": " + names[e]).isEqualTo(expected[e]);
            assertThat(matches.score(names[e])).as(what + ": score of " + names[e]).isEqualTo(expected[e] * 1.0);
        }
        List<EndpointMatch> inOrder = matches.matches().stream()
                .sorted(Comparator.comparingDouble(EndpointMatch::score).reversed()
                        .thenComparing(EndpointMatch::endpoint))
                .toList();
        assertThat(matches.matches()).as(what + ": best score first, ties by name").isEqualTo(inOrder);
        assertThat(matches.matches()).as(what).hasSize((int) Arrays.stream(expected).filter(n -> n > 0).count());
    }
}
