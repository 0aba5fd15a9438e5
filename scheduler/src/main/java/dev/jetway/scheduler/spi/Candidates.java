package dev.jetway.scheduler.spi;

import dev.jetway.scheduler.Endpoint;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * The endpoints still in the running for one profile, as positions ("slots") into the request's candidate list.
 * Filters shrink it in place; scorers and pickers read it. Slots let per-request attributes be plain arrays indexed
 * by the endpoint's position in {@link SchedulingContext#endpoints()}, with no per-endpoint maps.
 */
public final class Candidates {

    private final List<Endpoint> all;
    private final int[] slots;
    private int size;
    private static final int[] NONE_REMOVED = new int[0];

    private int[] lastRemoved;

    /** All endpoints of {@code all}, in order. */
    public Candidates(List<Endpoint> all) {
        this.all = all;
        this.size = all.size();
        this.slots = new int[size];
        for (int i = 0; i < size; i++) {
            slots[i] = i;
        }
    }

    /**
     * All endpoints of {@code all}, in order, kept in {@code slotBuffer} (at least {@code all.size()} long) instead of
     * a new array: the scheduler reuses its buffers across cycles.
     */
    public Candidates(List<Endpoint> all, int[] slotBuffer) {
        if (slotBuffer.length < all.size()) {
            throw new IllegalArgumentException("slot buffer of " + slotBuffer.length + " for " + all.size()
                    + " endpoints");
        }
        this.all = all;
        this.size = all.size();
        this.slots = slotBuffer;
        for (int i = 0; i < size; i++) {
            slots[i] = i;
        }
    }

    private Candidates(List<Endpoint> all, int[] slots, int size) {
        this.all = all;
        this.slots = slots;
        this.size = size;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The i-th remaining endpoint. */
    public Endpoint get(int i) {
        return all.get(slots[i]);
    }

    /** The position of the i-th remaining endpoint in {@link SchedulingContext#endpoints()}. */
    public int slot(int i) {
        return slots[i];
    }

    /** Keeps the endpoints that pass {@code keep}, in order; returns how many were removed. */
    public int retainIf(Predicate<Endpoint> keep) {
        int w = 0;
        int[] removed = null;
        int r = 0;
        for (int i = 0; i < size; i++) {
            int s = slots[i];
            if (keep.test(all.get(s))) {
                slots[w++] = s;
            } else {
                if (removed == null) {
                    removed = new int[size - i];
                }
                removed[r++] = s;
            }
        }
        size = w;
        lastRemoved = removed == null ? null : Arrays.copyOf(removed, r);
        return r;
    }

    /** Keeps the endpoints at the positions where {@code keep[i]} is true (positions as before the call). */
    public int retainPositions(boolean[] keep) {
        int w = 0;
        int[] removed = null;
        int r = 0;
        for (int i = 0; i < size; i++) {
            int s = slots[i];
            if (keep[i]) {
                slots[w++] = s;
            } else {
                if (removed == null) {
                    removed = new int[size - i];
                }
                removed[r++] = s;
            }
        }
        size = w;
        lastRemoved = removed == null ? null : Arrays.copyOf(removed, r);
        return r;
    }

    /** Slots removed by the last retain call (empty if none); read by the decision record. */
    public int[] takeLastRemoved() {
        int[] r = lastRemoved;
        lastRemoved = null;
        return r == null ? NONE_REMOVED : r;
    }

    /** An independent copy (each profile filters its own). */
    public Candidates copy() {
        return new Candidates(all, Arrays.copyOf(slots, slots.length), size);
    }
}
