package dev.jetway.kvcache.index.precise;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The two hand-written hash structures against java.util models under random operations (growth, removal, reuse). */
class PrimitiveMapsTest {

    @Test
    void engineKeyMapBehavesLikeAHashMap() {
        EngineKeyMap map = new EngineKeyMap();
        Map<Long, Long> model = new HashMap<>();
        SplittableRandom random = new SplittableRandom(1);
        for (int op = 0; op < 200_000; op++) {
            long key = random.nextInt(5_000) - 2_500L; // includes 0 and negatives; many collisions of small ints
            switch (random.nextInt(3)) {
                case 0, 1 -> {
                    long value = random.nextLong();
                    map.put(key, value);
                    model.put(key, value);
                }
                default -> {
                    map.remove(key);
                    model.remove(key);
                }
            }
            if (op % 10_000 == 0) {
                assertSame(map, model);
            }
        }
        assertSame(map, model);
        map.retainIf((k, v) -> k % 2 == 0);
        model.keySet().removeIf(k -> k % 2 != 0);
        assertSame(map, model);
    }

    private static void assertSame(EngineKeyMap map, Map<Long, Long> model) {
        assertThat(map.size()).isEqualTo(model.size());
        for (long k = -2_500; k < 2_500; k++) {
            assertThat(map.contains(k)).isEqualTo(model.containsKey(k));
            if (model.containsKey(k)) {
                assertThat(map.get(k)).isEqualTo(model.get(k));
            }
        }
        Map<Long, Long> visited = new HashMap<>();
        map.forEach(visited::put);
        assertThat(visited).isEqualTo(model);
    }

    private record Entry(long key, int endpoint, Tier tier) {
    }

    private static Map<Long, Set<Entry>> byKey(Set<Entry> model) {
        Map<Long, Set<Entry>> byKey = new HashMap<>();
        for (Entry e : model) {
            byKey.computeIfAbsent(e.key(), k -> new HashSet<>()).add(e);
        }
        return byKey;
    }

    @Test
    void blockEntryTableBehavesLikeASetOfKeyEndpointTierTriples() {
        BlockEntryTable table = new BlockEntryTable(16);
        Set<Entry> model = new HashSet<>();
        SplittableRandom random = new SplittableRandom(2);
        Tier[] tiers = Tier.values();
        for (int op = 0; op < 100_000; op++) {
            Entry e = new Entry(random.nextInt(3_000) * 0x9E3779B97F4A7C15L, random.nextInt(4),
                    tiers[random.nextInt(3)]);
            switch (random.nextInt(5)) {
                case 0, 1, 2 -> {
                    table.put(e.key(), e.endpoint(), e.tier(), false, op);
                    model.add(e);
                }
                case 3 -> assertThat(table.remove(e.key(), e.endpoint(), e.tier())).isEqualTo(model.remove(e));
                default -> {
                    int removed = table.removeEndpoint(e.key(), e.endpoint());
                    int expected = 0;
                    for (Tier t : tiers) {
                        expected += model.remove(new Entry(e.key(), e.endpoint(), t)) ? 1 : 0;
                    }
                    assertThat(removed).isEqualTo(expected);
                }
            }
            if (table.live() != model.size()) {
                throw new AssertionError("live " + table.live() + " != " + model.size() + " after op " + op);
            }
        }
        Map<Long, Set<Entry>> byKey = byKey(model);
        long[] out = new long[256];
        for (int k = 0; k < 3_000; k++) {
            long key = k * 0x9E3779B97F4A7C15L;
            int n = table.values(key, out);
            Set<Entry> found = new HashSet<>();
            for (int i = 0; i < n; i++) {
                found.add(new Entry(key, BlockEntryTable.endpoint(out[i]), Tier.ofCode(BlockEntryTable.tierCode(out[i]))));
            }
            assertThat(found).isEqualTo(byKey.getOrDefault(key, Set.of()));
        }
        assertThat(table.capacity()).as("tombstones are purged, the table does not grow without bound")
                .isLessThanOrEqualTo(Math.max(1024, Integer.highestOneBit(model.size() * 4) * 2));
    }

    @Test
    void speculativeWritesNeverDowngradeConfirmedEntries() {
        BlockEntryTable table = new BlockEntryTable(16);
        table.put(42, 3, Tier.GPU, false, 1);
        table.put(42, 3, Tier.GPU, true, 99);
        long v = table.get(42, 3, Tier.GPU);
        assertThat(BlockEntryTable.speculative(v)).isFalse();
        assertThat(BlockEntryTable.stamp(v)).isEqualTo(1);
        assertThat(table.removeSpeculative(42, 3, 1)).isFalse();
        assertThat(table.hasConfirmed(42, 3)).isTrue();
    }

    @Test
    void endpointMaskTableBehavesLikeASetOfKeyEndpointTierTriples() {
        EndpointMaskTable table = new EndpointMaskTable(16);
        Set<Entry> model = new HashSet<>();
        SplittableRandom random = new SplittableRandom(3);
        Tier[] tiers = Tier.values();
        for (int op = 0; op < 200_000; op++) {
            // endpoints 0..199: four mask groups
            Entry e = new Entry(random.nextInt(3_000) * 0x9E3779B97F4A7C15L, random.nextInt(200),
                    tiers[random.nextInt(3)]);
            switch (random.nextInt(5)) {
                case 0, 1, 2 -> assertThat(table.add(e.key(), e.endpoint(), e.tier())).isEqualTo(model.add(e));
                case 3 -> assertThat(table.remove(e.key(), e.endpoint(), e.tier())).isEqualTo(model.remove(e));
                default -> {
                    int expected = 0;
                    for (Tier t : tiers) {
                        expected += model.remove(new Entry(e.key(), e.endpoint(), t)) ? 1 : 0;
                    }
                    assertThat(table.removeEndpoint(e.key(), e.endpoint())).isEqualTo(expected);
                }
            }
            if (table.entries() != model.size()) {
                throw new AssertionError("entries " + table.entries() + " != " + model.size() + " after op " + op);
            }
        }
        Map<Long, Set<Entry>> byKey = byKey(model);
        int[] ids = new int[64];
        long[] masks = new long[64];
        for (int k = 0; k < 3_000; k++) {
            long key = k * 0x9E3779B97F4A7C15L;
            int n = table.read(key, ids, masks);
            Set<Entry> found = new HashSet<>();
            for (int i = 0; i < n; i++) {
                for (long m = masks[i]; m != 0; m &= m - 1) {
                    int endpoint = (EndpointMaskTable.groupOf(ids[i]) << 6) | Long.numberOfTrailingZeros(m);
                    found.add(new Entry(key, endpoint, Tier.ofCode(EndpointMaskTable.tierCodeOf(ids[i]))));
                }
            }
            Set<Entry> expected = byKey.getOrDefault(key, Set.of());
            for (Entry e : expected) {
                assertThat(table.contains(key, e.endpoint())).isTrue();
            }
            assertThat(found).isEqualTo(expected);
        }
        long removed = table.removeEndpointEverywhere(70);
        assertThat(removed).isEqualTo(model.stream().filter(e -> e.endpoint() == 70).count());
        long target = table.entries() / 2;
        table.evictDownTo(target);
        assertThat(table.entries()).isLessThanOrEqualTo(target);
    }
}
