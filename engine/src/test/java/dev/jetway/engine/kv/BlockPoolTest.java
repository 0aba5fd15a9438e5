package dev.jetway.engine.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockPoolTest {

    @Test
    void longIntMapAgreesWithAHashMapUnderRandomOperations() {
        LongIntMap map = new LongIntMap(500);
        Map<Long, Integer> reference = new HashMap<>();
        Random rng = new Random(3);
        for (int i = 0; i < 200_000; i++) {
            long key = rng.nextInt(800) * 0x10000L; // many keys share low bits: long probe runs
            int op = rng.nextInt(3);
            if (op == 0 && reference.size() < 500) {
                assertThat(map.putIfAbsent(key, i)).isEqualTo(reference.putIfAbsent(key, i) == null);
            } else if (op == 1) {
                assertThat(map.remove(key)).isEqualTo(reference.remove(key) != null);
            } else {
                assertThat(map.get(key)).isEqualTo(reference.getOrDefault(key, -1));
            }
            assertThat(map.size()).isEqualTo(reference.size());
        }
    }

    @Test
    void cachedBlocksSurviveReleaseAndAreEvictedOldestFirst() {
        List<Long> evicted = new ArrayList<>();
        BlockPool pool = new BlockPool(3, evicted::add);
        int a = pool.allocate();
        int b = pool.allocate();
        assertThat(pool.cache(a, 11)).isTrue();
        assertThat(pool.cache(b, 22)).isTrue();
        assertThat(pool.cache(pool.allocate(), 11)).isFalse(); // same content twice: only one block is cached
        pool.release(b);
        pool.release(a);
        assertThat(pool.numFree()).isEqualTo(2);
        assertThat(pool.lookup(11)).isEqualTo(a);
        pool.touch(b); // reused by a prefix hit: leaves the free queue
        assertThat(pool.numFree()).isEqualTo(1);
        pool.release(b);
        // Free queue is now a, b: a goes first.
        assertThat(pool.allocate()).isEqualTo(a);
        assertThat(evicted).containsExactly(11L);
        assertThat(pool.lookup(11)).isEqualTo(-1);
        assertThat(pool.lookup(22)).isEqualTo(b);
        assertThat(pool.allocate()).isEqualTo(b);
        assertThat(evicted).containsExactly(11L, 22L);
        assertThat(pool.numFree()).isZero();
        assertThatThrownBy(pool::allocate).isInstanceOf(IllegalStateException.class);
        pool.release(a);
        assertThatThrownBy(() -> pool.release(a)).hasMessageContaining("not held");
    }
}
