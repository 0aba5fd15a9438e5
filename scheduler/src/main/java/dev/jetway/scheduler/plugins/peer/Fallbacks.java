package dev.jetway.scheduler.plugins.peer;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.spi.Candidates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a peer router returns when asked for more than one endpoint: its choice, then the other candidates as retry
 * fallbacks, lowest key (load, cost) first. Equal keys keep candidate order, so fallbacks are reproducible.
 */
final class Fallbacks {

    private Fallbacks() {
    }

    /**
     * @param chosen position of the router's choice
     * @param keys   {@code keys[i]} ranks {@code c.get(i)} as a fallback, lower first
     * @param k      how many endpoints to return in all
     */
    static List<Endpoint> choiceThenLowest(Candidates c, int chosen, double[] keys, int k) {
        int n = c.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // Arrays.sort on objects is a stable merge sort: equal keys stay in candidate order.
        Arrays.sort(order, (a, b) -> Double.compare(keys[a], keys[b]));
        List<Endpoint> out = new ArrayList<>(Math.min(n, k));
        out.add(c.get(chosen));
        for (int i = 0; i < n && out.size() < k; i++) {
            if (order[i] != chosen) {
                out.add(c.get(order[i]));
            }
        }
        return out;
    }
}
