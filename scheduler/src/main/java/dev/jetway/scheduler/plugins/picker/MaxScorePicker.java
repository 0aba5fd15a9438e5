package dev.jetway.scheduler.plugins.picker;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.SchedulerEnvironment;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.Pick;
import dev.jetway.scheduler.spi.Picker;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * {@code max-score-picker}: the highest total score wins; ties are broken at random (llm-d shuffles, then stable-sorts
 * by score), and the next best follow as fallbacks up to {@code maxNumOfEndpoints}.
 */
public final class MaxScorePicker implements Picker {

    public static final String TYPE = "max-score-picker";
    static final String REASON = "highest total score (random tie-break)";
    /** Up to this many endpoints are selected by repeated scans; more are sorted. */
    static final int SELECTION_LIMIT = 8;

    private final String name;
    private final int maxNumOfEndpoints;

    public MaxScorePicker(String name, int maxNumOfEndpoints, SchedulerEnvironment environment) {
        this.name = name;
        this.maxNumOfEndpoints = maxNumOfEndpoints;
    }

    public static MaxScorePicker create(String name, PluginParameters p, SchedulerEnvironment env) {
        return new MaxScorePicker(name, PickerParams.maxNumOfEndpoints(p), env);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describeParameters() {
        return "maxNumOfEndpoints=" + maxNumOfEndpoints;
    }

    private static boolean contains(int[] chosen, int count, int position) {
        for (int j = 0; j < count; j++) {
            if (chosen[j] == position) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Pick pick(SchedulingContext context, Candidates candidates, double[] totals) {
        int n = candidates.size();
        RandomGenerator random = context.environment().random();
        int k = Math.min(n, maxNumOfEndpoints);
        if (k <= SELECTION_LIMIT) {
            // k rounds of "best of the rest, uniform among ties": the same distribution as llm-d's shuffle plus
            // stable sort, in O(n·k) instead of a sort, and random draws only on ties.
            int[] chosen = new int[k];
            List<Endpoint> out = new ArrayList<>(k);
            for (int round = 0; round < k; round++) {
                int best = -1;
                int ties = 0;
                for (int i = 0; i < n; i++) {
                    if (contains(chosen, round, i)) {
                        continue;
                    }
                    if (best < 0 || totals[i] > totals[best]) {
                        best = i;
                        ties = 1;
                    } else if (totals[i] == totals[best] && random.nextInt(++ties) == 0) {
                        best = i;
                    }
                }
                chosen[round] = best;
                out.add(candidates.get(best));
            }
            return new Pick(out, REASON);
        }
        int[] shuffled = Shuffle.shuffledPositions(n, random);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = shuffled[i];
        }
        // Stable (merge) sort by score, descending: keeps the shuffled order among equal scores.
        java.util.Arrays.sort(order, (a, b) -> Double.compare(totals[b], totals[a]));
        List<Endpoint> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            out.add(candidates.get(order[i]));
        }
        return new Pick(out, REASON);
    }
}
