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
 * stratified: each block of {@value #BLOCK} consecutive requests is a deck holding each class's share of the block
 * (rounded to whole requests, largest remainders first), shuffled with a seed of its own. A class's share of the
 * requests is therefore exact to 1/{@value #BLOCK} over every block instead of drifting as independent draws would:
 * with two tenants of equal share, their offered loads are equal, so a difference in the service they get is the
 * gateway's doing, not the dice's.
 *
 * @param classes the classes; empty = the workload has no {@code traffic} section
 * @param seed    seed of the shuffles
 */
public record TrafficMix(List<TrafficClass> classes, long seed) {

    /** Requests per deck: shares are exact to this fraction. */
    public static final int BLOCK = 1000;

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
        private final int[] counts = deckCounts();
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
                shuffle(b);
            }
            return classes.get(deck[(int) (index % BLOCK)]);
        }

        private void shuffle(long b) {
            int at = 0;
            for (int c = 0; c < counts.length; c++) {
                for (int k = 0; k < counts[c]; k++) {
                    deck[at++] = c;
                }
            }
            // A seed per block: a block's order does not depend on which blocks were dealt before it.
            SplittableRandom rng = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (b + 1)));
            for (int i = BLOCK - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = deck[i];
                deck[i] = deck[j];
                deck[j] = t;
            }
            block = b;
        }
    }

    /** Each class's cards in a deck of {@value #BLOCK}: the floors of the quotas, the rest to the largest remainders. */
    private int[] deckCounts() {
        int n = classes.size();
        int[] counts = new int[n];
        double[] remainder = new double[n];
        int dealt = 0;
        for (int c = 0; c < n; c++) {
            double quota = classes.get(c).share() * BLOCK;
            counts[c] = (int) Math.floor(quota);
            remainder[c] = quota - counts[c];
            dealt += counts[c];
        }
        // Shares add up to 1 within the tolerance, so fewer than n cards are left (or a rounding card too many).
        while (dealt < BLOCK && n > 0) {
            int best = 0;
            for (int c = 1; c < n; c++) {
                if (remainder[c] > remainder[best]) {
                    best = c;
                }
            }
            counts[best]++;
            remainder[best] = -1;
            dealt++;
        }
        while (dealt > BLOCK) {
            int most = 0;
            for (int c = 1; c < n; c++) {
                if (counts[c] > counts[most]) {
                    most = c;
                }
            }
            counts[most]--;
            dealt--;
        }
        return counts;
    }
}
