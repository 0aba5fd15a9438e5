package dev.jetway.bench.load;

/**
 * What happens between two load stages.
 *
 * <p>inference-perf's load generator ({@code loadgen/load_generator.py}, {@code run_stage}) issues a stage's
 * {@code int(rate x duration)} requests and then waits until every one of them has finished before the stage counts as
 * done (there is no request timeout unless {@code load.request_timeout} is set); it then sleeps {@code load.interval}
 * seconds (default 1.0) and starts the next stage, whose send times begin one second after the stage starts
 * ({@code start_time = perf_counter() + 1}, so the workers see the queue filled in time). A stage's backlog therefore
 * never spills into the next stage: every stage starts against an idle cluster (with warm caches).
 *
 * @param drain           wait for every request of a stage to end before the next stage starts
 * @param intervalSeconds pause after a drained stage ({@code load.interval})
 * @param leadSeconds     delay from a stage's start to its first possible send time (inference-perf: 1 s)
 */
public record StageTransition(boolean drain, double intervalSeconds, double leadSeconds) {

    /** Stages follow each other on the clock, whatever is still in flight (a backlog carries over). */
    public static final StageTransition CONTINUOUS = new StageTransition(false, 0, 0);

    /** inference-perf's default: drain, then 1 s of {@code load.interval}, then a 1 s lead. */
    public static final StageTransition INFERENCE_PERF = inferencePerf(1.0);

    public StageTransition {
        if (!(intervalSeconds >= 0) || Double.isInfinite(intervalSeconds)) {
            throw new IllegalArgumentException("stage interval must be >= 0 s: " + intervalSeconds);
        }
        if (!(leadSeconds >= 0) || Double.isInfinite(leadSeconds)) {
            throw new IllegalArgumentException("stage lead must be >= 0 s: " + leadSeconds);
        }
        if (!drain && (intervalSeconds > 0 || leadSeconds > 0)) {
            throw new IllegalArgumentException("a stage interval only applies when stages drain");
        }
    }

    /** Drain with inference-perf's 1 s lead and the given {@code load.interval}. */
    public static StageTransition inferencePerf(double intervalSeconds) {
        return new StageTransition(true, intervalSeconds, 1.0);
    }

    /** Nanoseconds from the end of a drained stage to the planned start of the next stage's send schedule. */
    public long gapNanos() {
        return Math.round((intervalSeconds + leadSeconds) * 1e9);
    }
}
