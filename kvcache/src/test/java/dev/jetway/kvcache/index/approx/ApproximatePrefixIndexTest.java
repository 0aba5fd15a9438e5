package dev.jetway.kvcache.index.approx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ApproximatePrefixIndexTest {

    private static long[] keys(long first, int n) {
        long[] k = new long[n];
        for (int i = 0; i < n; i++) {
            k[i] = first + i;
        }
        return k;
    }

    @Test
    void matchCountsConsecutiveLeadingBlocksOnly() {
        ApproximatePrefixIndex index = new ApproximatePrefixIndex(100);
        index.record("a", keys(1, 5), 5, 0, 0);
        assertThat(index.matchLength("a", keys(1, 8), 8, 0)).isEqualTo(5);
        long[] gap = {1, 2, 99, 4};
        assertThat(index.matchLength("a", gap, 4, 0)).as("stops at the first miss").isEqualTo(2);
        assertThat(index.matchLength("b", keys(1, 5), 5, 0)).isZero();
        assertThat(index.matchLength("a", keys(1, 5), 3, 0)).as("capped by count").isEqualTo(3);
    }

    @Test
    void underPressureTheTailsOfPromptsGoBeforeTheirHeads() {
        ApproximatePrefixIndex index = new ApproximatePrefixIndex(10);
        index.record("a", keys(100, 8), 8, 0, 0);
        index.record("a", keys(200, 4), 4, 0, 0); // evicts two blocks of the first prompt
        assertThat(index.matchLength("a", keys(100, 8), 8, 0))
                .as("the head of the first prompt still matches").isEqualTo(6);
        assertThat(index.size("a")).isEqualTo(10);
    }

    @Test
    void capacityFollowsTheEndpointAndShrinks() {
        ApproximatePrefixIndex index = new ApproximatePrefixIndex(1000);
        index.record("a", keys(1, 50), 50, 20, 0);
        assertThat(index.size("a")).isEqualTo(20);
        assertThat(index.totalEntries()).isEqualTo(20);
        assertThat(index.estimatedBytes()).isPositive();
    }

    @Test
    void forgetsEndpointsUnusedSinceACutoff() {
        ApproximatePrefixIndex index = new ApproximatePrefixIndex(100);
        index.record("old", keys(1, 3), 3, 0, 10);
        index.record("new", keys(1, 3), 3, 0, 100);
        assertThat(index.removeUnusedSince(50)).isEqualTo(1);
        assertThat(index.endpointIds()).containsExactly("new");
    }

    @Test
    void concurrentRecordsAndLookupsStayConsistent() throws Exception {
        ApproximatePrefixIndex index = new ApproximatePrefixIndex(5000);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        String ep = "ep" + (i % 3);
                        long[] k = keys(thread * 1_000_000L + i * 10L, 10);
                        index.record(ep, k, 10, 0, i);
                        int m = index.matchLength(ep, k, 10, i);
                        // another thread may evict in between, but never corrupt: the answer is within bounds
                        assertThat(m).isBetween(0, 10);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int e = 0; e < 3; e++) {
            assertThat(index.size("ep" + e)).isEqualTo(5000);
        }
    }

    @Test
    void readersRacingResizesNeverMissWhatIsThere() throws Exception {
        ApproximatePrefixIndex index = new ApproximatePrefixIndex(1 << 20);
        long[] stable = keys(7_000_000_000L, 32);
        index.record("ep", stable, 32, 0, 0);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?> writer = pool.submit(() -> {
                // grows the LRU from 256 nodes through many doublings while readers look up
                for (int i = 0; i < 200_000; i++) {
                    index.record("ep", new long[] {i * 31L + 1}, 1, 0, 0);
                }
            });
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    int misses = 0;
                    while (!writer.isDone()) {
                        if (index.matchLength("ep", stable, 32, 0) != 32) {
                            misses++;
                        }
                    }
                    return misses;
                }));
            }
            writer.get();
            for (Future<Integer> f : readers) {
                assertThat(f.get()).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void forgetRemovesOnlyTheGivenRangeAndKeepsTheLruConsistent() {
        ApproximatePrefixIndex index = new ApproximatePrefixIndex(100);
        long[] keys = new long[40];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = 1000 + i * 7919L;
        }
        index.record("e", keys, 40, 0, 0);
        assertThat(index.forget("e", keys, 10, 40)).isEqualTo(30);
        assertThat(index.matchLength("e", keys, 40, 0)).isEqualTo(10);
        assertThat(index.size("e")).isEqualTo(10);
        assertThat(index.forget("e", keys, 10, 40)).isZero();
        assertThat(index.forget("unknown", keys, 0, 40)).isZero();
        // what is left still evicts in order: 100 more keys push out the 10
        long[] more = new long[100];
        for (int i = 0; i < more.length; i++) {
            more[i] = 5_000_000 + i;
        }
        index.record("e", more, 100, 0, 0);
        assertThat(index.matchLength("e", keys, 40, 0)).isZero();
        assertThat(index.size("e")).isEqualTo(100);
    }
}
