package dev.jetway.scheduler.plugins.picker;

import java.util.random.RandomGenerator;

/** Fisher–Yates over candidate positions. */
final class Shuffle {

    private Shuffle() {
    }

    static int[] shuffledPositions(int n, RandomGenerator random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
