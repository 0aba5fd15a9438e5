package dev.jetway.scheduler;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The per-endpoint arrays one profile run needs (candidate slots, each scorer's scores, the totals), reused across
 * cycles so that scheduling allocates nothing that grows with the endpoint count beyond what the result keeps.
 * A cycle takes one set from its scheduler's {@link Pool} and gives it back when it returns; nothing outside the
 * cycle may hold on to these arrays.
 */
final class CycleBuffers {

    int[] slots = new int[0];
    double[] totals = new double[0];
    double[][] scores = new double[0][];

    /** Makes room for {@code endpoints} candidates and {@code scorers} scorers; contents are stale. */
    void ensure(int endpoints, int scorers) {
        if (slots.length < endpoints) {
            int size = Math.max(endpoints, slots.length * 2);
            slots = new int[size];
            totals = new double[size];
            for (int s = 0; s < scores.length; s++) {
                scores[s] = new double[size];
            }
        }
        if (scores.length < scorers) {
            double[][] more = java.util.Arrays.copyOf(scores, scorers);
            for (int s = scores.length; s < scorers; s++) {
                more[s] = new double[slots.length];
            }
            scores = more;
        }
    }

    /**
     * A few spare sets shared by the threads that call one scheduler: lock-free, and when every set is in use a
     * cycle simply gets a new one (and the pool keeps at most {@code capacity}).
     */
    static final class Pool {

        private final AtomicReferenceArray<CycleBuffers> spare;

        Pool(int capacity) {
            spare = new AtomicReferenceArray<>(capacity);
        }

        CycleBuffers take() {
            for (int i = 0; i < spare.length(); i++) {
                CycleBuffers b = spare.get(i);
                if (b != null && spare.compareAndSet(i, b, null)) {
                    return b;
                }
            }
            return new CycleBuffers();
        }

        void give(CycleBuffers buffers) {
            for (int i = 0; i < spare.length(); i++) {
                if (spare.get(i) == null && spare.compareAndSet(i, null, buffers)) {
                    return;
                }
            }
        }
    }
}
