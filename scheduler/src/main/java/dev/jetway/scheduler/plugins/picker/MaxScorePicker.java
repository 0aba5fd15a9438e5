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

    @Override
    public Pick pick(SchedulingContext context, Candidates candidates, double[] totals) {
        int n = candidates.size();
        RandomGenerator random = context.environment().random();
        if (maxNumOfEndpoints == 1) {
            // Single pass: reservoir-style tie-break gives each tied best the same chance without shuffling.
            int best = -1;
            int ties = 0;
            for (int i = 0; i < n; i++) {
                if (best < 0 || totals[i] > totals[best]) {
                    best = i;
                    ties = 1;
                } else if (totals[i] == totals[best] && random.nextInt(++ties) == 0) {
                    best = i;
                }
            }
            return new Pick(List.of(candidates.get(best)), REASON);
        }
        int[] order = Shuffle.shuffledPositions(n, random);
        // Stable insertion sort by score, descending: keeps the shuffled order among equal scores.
        for (int i = 1; i < n; i++) {
            int v = order[i];
            int j = i - 1;
            while (j >= 0 && totals[order[j]] < totals[v]) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = v;
        }
        int k = Math.min(n, maxNumOfEndpoints);
        List<Endpoint> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            out.add(candidates.get(order[i]));
        }
        return new Pick(out, REASON);
    }
}
