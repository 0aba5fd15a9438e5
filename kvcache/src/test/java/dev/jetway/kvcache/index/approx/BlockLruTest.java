package dev.jetway.kvcache.index.approx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BlockLruTest {

    @Test
    void evictsTheLeastRecentlyUsedKeyWhenFull() {
        BlockLru lru = new BlockLru(3);
        lru.touch(1);
        lru.touch(2);
        lru.touch(3);
        lru.touch(1); // 1 becomes most recent; 2 is now the eldest
        lru.touch(4);
        assertThat(lru.contains(2)).isFalse();
        assertThat(lru.keysByRecency()).containsExactly(4, 1, 3);
        assertThat(lru.size()).isEqualTo(3);
    }

    @Test
    void shrinkingEvictsEldestFirst() {
        BlockLru lru = new BlockLru(10);
        for (long k = 1; k <= 10; k++) {
            lru.touch(k);
        }
        lru.resize(4);
        assertThat(lru.keysByRecency()).containsExactly(10, 9, 8, 7);
        for (long k = 1; k <= 6; k++) {
            assertThat(lru.contains(k)).isFalse();
        }
    }

    @Test
    void behavesLikeAnAccessOrderedMapUnderRandomUse() {
        int capacity = 1000;
        BlockLru lru = new BlockLru(capacity);
        Map<Long, Boolean> model = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > capacity;
            }
        };
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            // keys collide in the table's low bits on purpose: multiples of 2^40 stress probing and deletion
            long key = rnd.nextInt(3000) * (rnd.nextBoolean() ? 1L : 1L << 40);
            lru.touch(key);
            model.put(key, Boolean.TRUE);
            if (i % 997 == 0) {
                long probe = rnd.nextInt(3000);
                assertThat(lru.contains(probe)).isEqualTo(model.containsKey(probe));
            }
        }
        assertThat(lru.size()).isEqualTo(model.size());
        long[] expected = model.keySet().stream().mapToLong(Long::longValue).toArray();
        // model iterates eldest first
        long[] recency = lru.keysByRecency();
        for (int i = 0; i < expected.length; i++) {
            assertThat(recency[expected.length - 1 - i]).isEqualTo(expected[i]);
        }
        for (long k : expected) {
            assertThat(lru.contains(k)).isTrue();
        }
    }

    @Test
    void memoryStaysWithinTheDocumentedBoundAtFullCapacity() {
        BlockLru lru = new BlockLru(31_250);
        for (long k = 0; k < 40_000; k++) {
            lru.touch(k * 0x9E3779B97F4A7C15L);
        }
        assertThat(lru.size()).isEqualTo(31_250);
        double perEntry = (double) lru.allocatedBytes() / lru.size();
        assertThat(perEntry).isLessThanOrEqualTo(ApproximatePrefixIndex.BYTES_PER_ENTRY + 0.5);
    }
}
