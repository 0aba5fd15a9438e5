package dev.jetway.kvcache.index.precise;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The lookup's bucket read ({@link EndpointMaskTable#heldGpuOnly}) settles most keys from their home
 * bucket and probes on only for the rest; whatever the layout does (keys displaced into later buckets or around the
 * end of the array, tombstones in full buckets, growth), it must answer exactly what a plain map of the stored
 * entries answers.
 */
class EndpointMaskTableTest {

    /** Keys whose home bucket is bucket 0 of a table of {@code capacity} slots, so they pile up and overflow. */
    private static long[] keysHomedAt(int slot, int capacity, int count, SplittableRandom random) {
        EndpointMaskTable.Slots probe = EndpointMaskTable.Slots.withCapacity(capacity);
        long[] keys = new long[count];
        for (int found = 0; found < count; ) {
            long key = random.nextLong();
            if (probe.home(key) == slot) {
                keys[found++] = key;
            }
        }
        return keys;
    }

    private static void assertHeld(EndpointMaskTable table, Map<Long, Long> model, long[] keys) {
        EndpointMaskTable.Slots view = table.view();
        for (long key : keys) {
            assertThat(EndpointMaskTable.heldGpuOnly(view, key, 0)).as("key %x", key)
                    .isEqualTo(model.getOrDefault(key, 0L));
        }
    }

    @Test
    void keysDisplacedPastTheirBucketAndAroundTheEndAreFoundExactly() {
        SplittableRandom random = new SplittableRandom(11);
        EndpointMaskTable table = new EndpointMaskTable(64); // 16 buckets; 47 slots before it grows
        // nine keys homed in the last bucket: five of them wrap around to the buckets at the start of the array
        long[] crowded = keysHomedAt(60, 64, 9, random);
        long[] others = new long[30];
        for (int i = 0; i < others.length; i++) {
            others[i] = random.nextLong();
        }
        Map<Long, Long> model = new HashMap<>();
        for (int i = 0; i < crowded.length; i++) {
            table.add(crowded[i], i, Tier.GPU);
            model.merge(crowded[i], 1L << i, (a, b) -> a | b);
        }
        for (int i = 0; i < others.length; i++) {
            table.add(others[i], 40 + i % 20, Tier.GPU);
            model.merge(others[i], 1L << (40 + i % 20), (a, b) -> a | b);
        }
        assertThat(table.capacity()).as("no growth yet: the layout under test is the crowded one").isEqualTo(64);
        assertHeld(table, model, crowded);
        assertHeld(table, model, others);
        // keys never stored, homed in the full buckets, are not found
        assertHeld(table, model, keysHomedAt(60, 64, 20, random));
        assertHeld(table, model, keysHomedAt(0, 64, 20, random));

        // tombstones: a key whose slot's mask fell to 0 stays in its (full) bucket and reads as held by nobody,
        // and the keys displaced behind it are still found
        table.remove(crowded[0], 0, Tier.GPU);
        model.remove(crowded[0]);
        table.remove(crowded[5], 5, Tier.GPU);
        model.remove(crowded[5]);
        assertHeld(table, model, crowded);
        // a tombstone is reused by its own key
        table.add(crowded[5], 33, Tier.GPU);
        model.put(crowded[5], 1L << 33);
        assertHeld(table, model, crowded);

        // growth rehomes everything into a bigger array; the answers stay the same
        for (int i = 0; i < 200; i++) {
            long key = random.nextLong();
            table.add(key, i % 64, Tier.GPU);
            model.merge(key, 1L << (i % 64), (a, b) -> a | b);
        }
        assertThat(table.capacity()).isGreaterThan(64);
        assertHeld(table, model, model.keySet().stream().mapToLong(Long::longValue).toArray());
        assertHeld(table, model, crowded);
    }

    @Test
    void randomChurnAcrossSeveralEndpointGroupsMatchesAMapOfMasks() {
        SplittableRandom random = new SplittableRandom(5);
        EndpointMaskTable table = new EndpointMaskTable(16);
        int groups = 4; // endpoints 0..255: a key held in several groups takes a slot per group in its bucket
        Map<Long, long[]> model = new HashMap<>();
        long[] keys = new long[1_500];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = random.nextLong();
        }
        for (int op = 0; op < 60_000; op++) {
            long key = keys[random.nextInt(keys.length)];
            int endpoint = random.nextInt(64 * groups);
            long[] masks = model.computeIfAbsent(key, k -> new long[groups]);
            long bit = 1L << (endpoint & 63);
            boolean held = (masks[endpoint >>> 6] & bit) != 0;
            if (random.nextInt(3) == 0) {
                assertThat(table.remove(key, endpoint, Tier.GPU)).isEqualTo(held);
                masks[endpoint >>> 6] &= ~bit;
            } else {
                assertThat(table.add(key, endpoint, Tier.GPU)).isEqualTo(!held);
                masks[endpoint >>> 6] |= bit;
            }
            if (op % 5_000 == 0) {
                assertHeldPerGroup(table, model, keys, groups);
            }
        }
        assertHeldPerGroup(table, model, keys, groups);
    }

    private static void assertHeldPerGroup(EndpointMaskTable table, Map<Long, long[]> model, long[] keys, int groups) {
        EndpointMaskTable.Slots view = table.view();
        for (long key : keys) {
            long[] masks = model.getOrDefault(key, new long[groups]);
            for (int g = 0; g < groups; g++) {
                assertThat(EndpointMaskTable.heldGpuOnly(view, key, g)).as("key %x group %d", key, g)
                        .isEqualTo(masks[g]);
            }
        }
    }

    @Test
    void clockEvictionSparesRecentlyStoredSlotsAcrossARebuild() {
        EndpointMaskTable table = new EndpointMaskTable(16);
        SplittableRandom random = new SplittableRandom(8);
        long[] old = new long[40];
        for (int i = 0; i < old.length; i++) {
            old[i] = random.nextLong();
            table.add(old[i], 1, Tier.GPU);
        }
        // one sweep clears every referenced bit without evicting (all were just stored) ...
        table.evictDownTo(old.length - 1);
        assertThat(table.entries()).isEqualTo(old.length - 1);
        // ... then storing new keys forces a rebuild, which must carry the new keys' referenced bits with them
        long[] fresh = new long[40];
        for (int i = 0; i < fresh.length; i++) {
            fresh[i] = random.nextLong();
            table.add(fresh[i], 2, Tier.GPU);
        }
        long before = table.entries();
        table.evictDownTo(before - (old.length - 1));
        EndpointMaskTable.Slots view = table.view();
        for (long key : fresh) {
            assertThat(EndpointMaskTable.heldGpuOnly(view, key, 0)).as("recently stored").isEqualTo(1L << 2);
        }
    }

    /**
     * One writer adds and removes entries (growing the table, leaving tombstones) while a reader looks up keys that
     * were stored before and never change: every read must see them whole, and a churned key may only ever show the
     * writer's own endpoint.
     */
    @Test
    void lockFreeReadersSeeStableKeysWholeWhileTheWriterChurns() throws Exception {
        EndpointMaskTable table = new EndpointMaskTable(16);
        SplittableRandom random = new SplittableRandom(21);
        long[] stable = new long[200];
        for (int i = 0; i < stable.length; i++) {
            stable[i] = random.nextLong();
            table.add(stable[i], 3, Tier.GPU);
            table.add(stable[i], 60, Tier.GPU);
        }
        long[] churn = new long[20_000];
        for (int i = 0; i < churn.length; i++) {
            churn[i] = random.nextLong();
        }
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        threads.add(Thread.ofPlatform().start(() -> {
            try {
                for (int round = 0; round < 4; round++) {
                    for (long key : churn) {
                        table.add(key, 7, Tier.GPU);
                    }
                    for (int i = 0; i < churn.length; i += 2) {
                        table.remove(churn[i], 7, Tier.GPU);
                    }
                }
            } catch (Throwable t) {
                failures.add(t);
            } finally {
                stop.set(true);
            }
        }));
        int[] reads = new int[1];
        threads.add(Thread.ofPlatform().start(() -> {
            try {
                do { // at least one pass even if the writer is already done
                    EndpointMaskTable.Slots view = table.view();
                    for (long key : stable) {
                        long held = EndpointMaskTable.heldGpuOnly(view, key, 0);
                        if (held != ((1L << 3) | (1L << 60))) {
                            throw new AssertionError("stable key read as " + Long.toHexString(held));
                        }
                    }
                    for (int i = 0; i < 200; i++) {
                        long held = EndpointMaskTable.heldGpuOnly(view, churn[(reads[0] * 200 + i)
                                % churn.length], 0);
                        if ((held & ~(1L << 7)) != 0) {
                            throw new AssertionError("churned key read as " + Long.toHexString(held));
                        }
                    }
                    reads[0]++;
                } while (!stop.get());
            } catch (Throwable t) {
                failures.add(t);
            }
        }));
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertThat(failures).isEmpty();
        assertThat(reads[0]).isPositive();
        assertThat(table.capacity()).as("the writer grew the table under the reader").isGreaterThan(16 * 64);
    }
}
