package dev.jetway.bench.load;

import dev.jetway.bench.traffic.TrafficClass;
import dev.jetway.bench.traffic.TrafficMix;
import dev.jetway.bench.workload.TimedWorkload;
import dev.jetway.bench.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The whole run decided up front: every request with its send time and stage. Live benchmarks and every policy of a
 * simulation replay the same plan, so they compare like with like.
 *
 * <p>With a draining {@link StageTransition} the planned times are only the schedule within each stage: a stage
 * starts when the previous one has drained (plus the transition's gap), so a request is sent at
 * {@code actualStageStart + (sendAtNanos - stage.startNanos())}; {@link StageClock} does that arithmetic.
 *
 * @param classes the workload's traffic classes, in the order its file lists them (empty without a {@code traffic}
 *                section); each planned request names its own
 */
public record RequestPlan(List<PlannedRequest> requests, List<StageInfo> stages, StageTransition transition,
                          List<TrafficClass> classes) {

    public RequestPlan {
        requests = List.copyOf(requests);
        stages = List.copyOf(stages);
        Objects.requireNonNull(transition, "transition");
        classes = List.copyOf(classes);
    }

    /** A plan without traffic classes. */
    public RequestPlan(List<PlannedRequest> requests, List<StageInfo> stages, StageTransition transition) {
        this(requests, stages, transition, List.of());
    }

    /** A plan whose stages follow each other on the clock. */
    public RequestPlan(List<PlannedRequest> requests, List<StageInfo> stages) {
        this(requests, stages, StageTransition.CONTINUOUS);
    }

    /**
     * Arrivals from {@code load} with requests drawn from {@code workload} in its issue order; a {@link TimedWorkload}
     * (a trace, generated sessions) brings its own arrival times (one stage) and the load's stages do not apply.
     * {@code maxRequests} > 0 truncates the plan.
     */
    public static RequestPlan build(Workload workload, LoadProfile load, int maxRequests) {
        return build(workload, load, maxRequests, TrafficMix.NONE);
    }

    /**
     * As {@link #build(Workload, LoadProfile, int)}, each request sent by the class {@code traffic} assigns to its
     * index. The assignment draws from its own seed, so the send times and the requests are those of the plan
     * without classes.
     */
    public static RequestPlan build(Workload workload, LoadProfile load, int maxRequests, TrafficMix traffic) {
        TrafficMix.Assignment classes = traffic.assignment();
        if (workload instanceof TimedWorkload timed) {
            return ofTimed(timed, maxRequests, traffic, classes);
        }
        List<PlannedRequest> out = new ArrayList<>();
        List<StageInfo> stages = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(load.seed());
        long stageStart = 0;
        long index = 0;
        for (int s = 0; s < load.stages().size(); s++) {
            LoadStage stage = load.stages().get(s);
            long stageEnd = stageStart + Math.round(stage.durationSeconds() * 1e9);
            stages.add(new StageInfo(s, stage.rate(), stageStart, stageEnd, stage.warmup()));
            double meanGapNanos = 1e9 / stage.rate();
            // Poisson: memoryless, so restarting the gap at each stage boundary keeps the process exact.
            double t = stageStart + (load.type() == ArrivalProcess.POISSON ? exponential(rng, meanGapNanos) : 0);
            while (t < stageEnd) {
                if (maxRequests > 0 && index >= maxRequests) {
                    return new RequestPlan(out, stages, load.transition(), traffic.classes());
                }
                long i = index++;
                out.add(new PlannedRequest((long) t, s, workload.request(i), classes.classOf(i)));
                t += load.type() == ArrivalProcess.POISSON ? exponential(rng, meanGapNanos) : meanGapNanos;
            }
            stageStart = stageEnd;
        }
        return new RequestPlan(out, stages, load.transition(), traffic.classes());
    }

    private static RequestPlan ofTimed(TimedWorkload timed, int maxRequests, TrafficMix traffic,
                                       TrafficMix.Assignment classes) {
        int n = maxRequests > 0 ? Math.min(maxRequests, timed.size()) : timed.size();
        if (n == 0) {
            throw new IllegalArgumentException(timed.type() + " workload has no requests");
        }
        List<PlannedRequest> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new PlannedRequest(timed.arrivalNanos(i), 0, timed.request(i), classes.classOf(i)));
        }
        long end = Math.max(1, timed.arrivalNanos(n - 1));
        double rate = n / (end / 1e9);
        return new RequestPlan(out, List.of(new StageInfo(0, rate, 0, end, false)), StageTransition.CONTINUOUS,
                traffic.classes());
    }

    private static double exponential(SplittableRandom rng, double mean) {
        return -mean * Math.log(1.0 - rng.nextDouble());
    }

    /** Nanoseconds from the start to the end of the last stage. */
    public long endNanos() {
        return stages.getLast().endNanos();
    }
}
