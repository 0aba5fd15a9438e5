package dev.jetway.scheduler.plugins.picker;

import dev.jetway.scheduler.Endpoint;
import dev.jetway.scheduler.config.PluginParameters;
import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.Pick;
import dev.jetway.scheduler.spi.Picker;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code round-robin-picker} (Jetway; what a Kubernetes Service or GIE's lightweight EPP gives): the candidates in
 * turn, ignoring scores. Fallbacks are the following endpoints in the rotation.
 */
public final class RoundRobinPicker implements Picker {

    public static final String TYPE = "round-robin-picker";

    private final String name;
    private final int maxNumOfEndpoints;
    private final AtomicLong counter = new AtomicLong();

    public RoundRobinPicker(String name, int maxNumOfEndpoints) {
        this.name = name;
        this.maxNumOfEndpoints = maxNumOfEndpoints;
    }

    public static RoundRobinPicker create(String name, PluginParameters p) {
        return new RoundRobinPicker(name, PickerParams.maxNumOfEndpoints(p));
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
        int start = (int) Math.floorMod(counter.getAndIncrement(), (long) n);
        int k = Math.min(n, maxNumOfEndpoints);
        List<Endpoint> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            out.add(candidates.get((start + i) % n));
        }
        return new Pick(out, "next in rotation");
    }
}
