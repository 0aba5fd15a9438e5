package dev.jetway.scheduler;

import dev.jetway.scheduler.spi.Candidates;
import dev.jetway.scheduler.spi.Filter;
import dev.jetway.scheduler.spi.Pick;
import dev.jetway.scheduler.spi.Picker;
import dev.jetway.scheduler.spi.SchedulingContext;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One scheduling profile: filters in order, then the weighted sum of the clamped scorer outputs, then the picker
 * (llm-d's {@code SchedulerProfile}).
 */
public final class SchedulingProfile {

    private final String name;
    private final List<Filter> filters;
    private final List<WeightedScorer> scorers;
    private final Picker picker;

    public SchedulingProfile(String name, List<Filter> filters, List<WeightedScorer> scorers, Picker picker) {
        this.name = Objects.requireNonNull(name, "name");
        this.filters = List.copyOf(filters);
        this.scorers = List.copyOf(scorers);
        this.picker = Objects.requireNonNull(picker, "picker");
    }

    public String name() {
        return name;
    }

    public List<Filter> filters() {
        return filters;
    }

    public List<WeightedScorer> scorers() {
        return scorers;
    }

    public Picker picker() {
        return picker;
    }

    /**
     * Runs the profile over {@code endpoints} with the cycle's reused {@code buffers}, and has {@code trace} copy out
     * what the decision keeps.
     */
    ProfileResult run(SchedulingContext context, List<Endpoint> endpoints, CycleBuffers buffers,
                      ProfileDecision trace, PluginTimer timer, boolean explainAll) {
        buffers.ensure(endpoints.size(), scorers.size());
        Candidates candidates = new Candidates(endpoints, buffers.slots);
        for (Filter f : filters) {
            if (candidates.isEmpty()) {
                break;
            }
            long t0 = timer == null ? 0 : context.environment().nanoTime();
            f.filter(context, candidates);
            if (timer != null) {
                timer.record("Filter", f.type(), f.name(), context.environment().nanoTime() - t0);
            }
            trace.filtered(f.name(), candidates.takeLastRemoved());
        }
        int n = candidates.size();
        double[] totals = buffers.totals;
        Arrays.fill(totals, 0, n, 0.0);
        for (int k = 0; k < scorers.size() && n > 0; k++) {
            WeightedScorer ws = scorers.get(k);
            double[] scores = buffers.scores[k];
            Arrays.fill(scores, 0, n, 0.0); // a scorer may leave an endpoint unscored: that is a 0
            long t0 = timer == null ? 0 : context.environment().nanoTime();
            ws.scorer().score(context, candidates, scores);
            if (timer != null) {
                timer.record("Scorer", ws.scorer().type(), ws.scorer().name(), context.environment().nanoTime() - t0);
            }
            double w = ws.weight();
            for (int i = 0; i < n; i++) {
                double v = scores[i];
                // llm-d clamps every scorer to [0,1]; NaN (a broken scorer) counts as 0 rather than poisoning the sum.
                v = v > 1.0 ? 1.0 : v >= 0.0 ? v : 0.0;
                scores[i] = v;
                totals[i] += v * w;
            }
        }
        long t0 = timer == null ? 0 : context.environment().nanoTime();
        Pick pick = n == 0 ? Pick.none("no candidate left after filters") : picker.pick(context, candidates, totals);
        if (timer != null && n > 0) {
            timer.record("Picker", picker.type(), picker.name(), context.environment().nanoTime() - t0);
        }
        trace.decided(candidates, n, scorers, buffers.scores, totals, picker.name(), pick, explainAll);
        return new ProfileResult(name, pick.targets(), pick.reason());
    }
}
