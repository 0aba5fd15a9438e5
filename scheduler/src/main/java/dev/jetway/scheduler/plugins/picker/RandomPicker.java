package dev.jetway.scheduler.plugins.picker;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.Pick;
import dev.jetway.scheduler.spi.Picker;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.ArrayList;
import java.util.List;

/** {@code random-picker}: uniformly random endpoints, ignoring scores (the baseline of baselines). */
public record RandomPicker(String name, int maxNumOfEndpoints) implements Picker {

    public static final String TYPE = "random-picker";

    public static RandomPicker create(String name, PluginParameters p) {
        return new RandomPicker(name, PickerParams.maxNumOfEndpoints(p));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String describeParameters() {
        return "maxNumOfEndpoints=" + maxNumOfEndpoints;
    }

    @Override
    public Pick pick(SchedulingContext context, Candidates candidates, double[] totals) {
        int n = candidates.size();
        if (maxNumOfEndpoints == 1) {
            return new Pick(List.of(candidates.get(context.environment().random().nextInt(n))), "uniformly random");
        }
        int[] order = Shuffle.shuffledPositions(n, context.environment().random());
        int k = Math.min(n, maxNumOfEndpoints);
        List<Endpoint> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            out.add(candidates.get(order[i]));
        }
        return new Pick(out, "uniformly random");
    }
}
