package dev.jetway.bench.traffic;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The traffic classes of a workload and which request belongs to which.
 *
 * <p>Request i's class depends only on i and the seed, never on the policy, the load or the workload's data, so
 * every policy of a simulation and every repeat of a live run send the identical classes. The assignment is
 * stratified: each block of {@value #BLOCK} consecutive requests is a deck holding each class's quota of the block
 * (share x {@value #BLOCK}), shuffled with a seed of its own. A quota that is not a whole number is rounded down or up,
 * up in that fraction of the blocks (systematic sampling with a seeded offset), so a class's long-run share is exact
 * and every block is within one request of it. Independent draws would drift instead: with two tenants of equal
 * share, offered loads stay equal over any stage of a few hundred requests, so a difference in the service they get
 * is the gateway's doing, not the dice's.
 *
 * @param classes the classes; empty = the workload has no {@code traffic} section
 * @param seed    seed of the decks
 */
public record TrafficMix(List<TrafficClass> classes, long seed) {

    /** Requests per deck. */
    public static final int BLOCK = 100;
    /** A workload without traffic classes. */
    public static final TrafficMix NONE = new TrafficMix(List.of(), 0);

    /** Shares must add up to 1 within this (decimal shares such as 0.1 + 0.2 are not exact in binary). */
    public static final double SHARE_TOLERANCE = 1e-6;

    public TrafficMix {
        classes = List.copyOf(classes);
        Set<String> names = new HashSet<>();
        double sum = 0;
        for (TrafficClass c : classes) {
            if (!names.add(c.name())) {
                throw new IllegalArgumentException("two traffic classes are named " + c.name());
            }
            sum += c.share();
        }
        if (!classes.isEmpty() && Math.abs(sum - 1) > SHARE_TOLERANCE) {
            throw new IllegalArgumentException("traffic class shares add up to " + sum + ", not 1");
        }
    }

    public boolean isEmpty() {
        return classes.isEmpty();
    }

    /**
     * An assignment of requests to classes. Plans are built in issue order, so it keeps the current block's deck;
     * not thread-safe.
     */
    public Assignment assignment() {
        return new Assignment();
    }

    /** Request index to class; null for every request when there are no classes. */
    public final class Assignment {
        private final int[] deck = new int[BLOCK];
        private long block = -1;

        private Assignment() {
        }

        public TrafficClass classOf(long index) {
            if (classes.isEmpty()) {
                return null;
            }
            if (index < 0) {
                throw new IllegalArgumentException("request index must be >= 0: " + index);
            }
            long b = index / BLOCK;
            if (b != block) {
                deal(b);
            }
            return classes.get(deck[(int) (index % BLOCK)]);
        }

        private void deal(long b) {
            // A seed per block: a block's deck does not depend on which blocks were dealt before it.
            SplittableRandom rng = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (b + 1)));
            int[] counts = counts(rng.nextDouble());
            int at = 0;
            for (int c = 0; c < counts.length; c++) {
                for (int k = 0; k < counts[c]; k++) {
                    deck[at++] = c;
                }
            }
            for (int i = BLOCK - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = deck[i];
                deck[i] = deck[j];
                deck[j] = t;
            }
            block = b;
        }
    }

    /**
     * Each class's cards in one deck: the floor of its quota, plus one when a point of {@code offset + k} (k = 0, 1,
     * ...) falls into its stretch of the quotas' fractional parts laid end to end. A fraction f gets its extra card
     * with probability f, and the extra cards add up to the deck's size.
     */
    int[] counts(double offset) {
        int n = classes.size();
        int[] counts = new int[n];
        double before = 0;
        int dealt = 0;
        for (int c = 0; c < n; c++) {
            double quota = classes.get(c).share() * BLOCK;
            int whole = (int) Math.floor(quota);
            double after = before + (quota - whole);
            // points offset, offset + 1, ... inside [before, after)
            int extra = (int) (Math.ceil(after - offset) - Math.ceil(before - offset));
            counts[c] = whole + Math.max(0, extra);
            dealt += counts[c];
            before = after;
        }
        // Shares add up to 1 only within the tolerance: a card of rounding either way goes to or from the largest.
        int largest = 0;
        for (int c = 1; c < n; c++) {
            largest = counts[c] > counts[largest] ? c : largest;
        }
        counts[largest] += BLOCK - dealt;
        return counts;
    }
}
