package dev.jetway.kvcache.index.precise;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jetway.kvcache.event.KvEvent;
import dev.jetway.kvcache.event.KvEventBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Readers look up while two writers churn their endpoints' entries (growth, removal, clears). A third endpoint's
 * chain never changes, so every read must see it whole, and no read may ever report more blocks than the request has.
 */
class PrecisePrefixIndexConcurrencyTest {

    private static final int BS = 16;

    @Test
    void lockFreeReadersSeeConsistentResultsWhileWritersChurn() throws Exception {
        PrecisePrefixIndex index = new PrecisePrefixIndex(PreciseIndexConfig.defaults(BS).withInitialCapacity(64));
        int stable = index.addEndpoint("10.0.0.1:8000", "m");
        int[] stablePrompt = IntStream.range(0, 32 * BS).toArray();
        FakeVllmEngine stableEngine = new FakeVllmEngine(BS);
        index.apply(stable, new KvEventBatch(0, List.of(stableEngine.store(stablePrompt)), null));

        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int endpoint = index.addEndpoint("10.0.1." + w + ":8000", "m");
            threads.add(Thread.ofPlatform().start(() -> {
                FakeVllmEngine engine = new FakeVllmEngine(BS);
                try {
                    for (int round = 0; round < 300 && !stop.get(); round++) {
                        for (int p = 0; p < 20; p++) {
                            int[] prompt = IntStream.range(0, 8 * BS).map(t -> t + 1_000_000 * endpoint).toArray();
                            prompt[BS * 2] = round * 100 + p; // shares 2 blocks, then diverges
                            KvEvent.BlockStored stored = engine.store(prompt);
                            if (stored != null) {
                                index.apply(endpoint, new KvEventBatch(0, List.of(stored), null));
                            }
                        }
                        if (round % 10 == 9) {
                            index.apply(endpoint, new KvEventBatch(0, List.of(new KvEvent.AllBlocksCleared()), null));
                            engine = new FakeVllmEngine(BS);
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        int[] reads = new int[1];
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                while (!stop.get()) {
                    PrefixMatches m = index.match("m", null, null, stablePrompt);
                    assertThat(m.blocks("10.0.0.1:8000")).isEqualTo(32);
                    for (EndpointMatch e : m.matches()) {
                        assertThat(e.blocks()).isBetween(1, 32);
                    }
                    reads[0]++;
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        for (Thread t : threads) {
            t.join(60_000);
        }
        stop.set(true);
        reader.join(10_000);

        assertThat(failures).isEmpty();
        assertThat(reads[0]).isPositive();
        assertThat(index.stats().entries()).isGreaterThanOrEqualTo(32);
    }
}
