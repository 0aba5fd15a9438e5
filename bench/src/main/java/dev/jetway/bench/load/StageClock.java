package dev.jetway.bench.load;

import java.util.Arrays;

/**
 * When each stage of a {@link RequestPlan} actually runs. With {@link StageTransition#CONTINUOUS} that is the plan's
 * own clock. With a draining transition a stage starts only once every request of the previous stage has ended, plus
 * the transition's gap, and its requests keep their planned offsets from the stage start.
 *
 * <p>The driver (simulator or live benchmark) asks {@link #sendAt} for each request in plan order and reports every
 * ended request through {@link #ended}. Not thread-safe: the live benchmark synchronizes around it.
 */
public final class StageClock {

    private final RequestPlan plan;
    private final boolean drain;
    private final long gapNanos;
    private final int[] remaining;
    private final long[] start;
    private final long[] end;

    public StageClock(RequestPlan plan) {
        this.plan = plan;
        this.drain = plan.transition().drain();
        this.gapNanos = plan.transition().gapNanos();
        int n = plan.stages().size();
        remaining = new int[n];
        start = new long[n];
        end = new long[n];
        for (PlannedRequest p : plan.requests()) {
            remaining[p.stage()]++;
        }
        for (int s = 0; s < n; s++) {
            StageInfo info = plan.stages().get(s);
            start[s] = drain ? -1 : info.startNanos();
            end[s] = drain ? -1 : info.endNanos();
        }
        if (drain && n > 0) {
            begin(0, plan.stages().getFirst().startNanos());
        }
    }

    /**
     * The time to send {@code p} (nanoseconds on the run's clock), or -1 while its stage waits for the previous one
     * to drain.
     */
    public long sendAt(PlannedRequest p) {
        if (!drain) {
            return p.sendAtNanos();
        }
        long stageStart = start[p.stage()];
        return stageStart < 0 ? -1 : stageStart + p.sendAtNanos() - plan.stages().get(p.stage()).startNanos();
    }

    /**
     * A request of {@code stage} ended (completed or failed) at {@code nanos}. Returns true when that drained the
     * stage and so started the next one: requests that waited can now be scheduled.
     */
    public boolean ended(int stage, long nanos) {
        if (--remaining[stage] > 0 || !drain) {
            return false;
        }
        finish(stage, nanos);
        return true;
    }

    /** Start of each stage as run (nanoseconds; -1 for a stage that never started). */
    public long[] starts() {
        return Arrays.copyOf(start, start.length);
    }

    /** End of each stage as run: drained, or the planned end when stages do not drain; -1 if it never ended. */
    public long[] ends() {
        return Arrays.copyOf(end, end.length);
    }

    private void begin(int stage, long nanos) {
        start[stage] = nanos;
        if (remaining[stage] == 0) {
            finish(stage, nanos); // nothing to send (a very short stage): it is over as soon as it starts
        }
    }

    private void finish(int stage, long nanos) {
        end[stage] = nanos;
        if (stage + 1 < start.length) {
            begin(stage + 1, nanos + gapNanos);
        }
    }
}
