package dev.jetway.scheduler.plugins.picker;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.Pick;
import dev.jetway.scheduler.spi.Picker;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * {@code weighted-random-picker}: endpoints drawn with probability proportional to their total score, without
 * replacement, by A-Res reservoir sampling (key {@code u^(1/w)}, highest keys win). Endpoints scoring 0 are never
 * drawn unless every score is 0, in which case the draw is uniform.
 */
public record WeightedRandomPicker(String name, int maxNumOfEndpoints) implements Picker {

    public static final String TYPE = "weighted-random-picker";

    public static WeightedRandomPicker create(String name, PluginParameters p) {
        return new WeightedRandomPicker(name, PickerParams.maxNumOfEndpoints(p));
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
        RandomGenerator random = context.environment().random();
        boolean anyPositive = false;
        for (int i = 0; i < n; i++) {
            anyPositive |= totals[i] > 0;
        }
        double[] keys = new double[n];
        for (int i = 0; i < n; i++) {
            double u = random.nextDouble();
            double w = anyPositive ? totals[i] : 1.0;
            // log form of u^(1/w) keeps tiny weights from underflowing to equal zeros
            keys[i] = w > 0 ? Math.log(u) / w : Double.NEGATIVE_INFINITY;
        }
        int k = Math.min(n, maxNumOfEndpoints);
        List<Endpoint> out = new ArrayList<>(k);
        for (int round = 0; round < k; round++) {
            int best = -1;
            for (int i = 0; i < n; i++) {
                if (keys[i] != Double.NEGATIVE_INFINITY && (best < 0 || keys[i] > keys[best])) {
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            out.add(candidates.get(best));
            keys[best] = Double.NEGATIVE_INFINITY;
        }
        return new Pick(out, "random, weighted by score");
    }
}
