package dev.jetway.bench.metrics;

import dev.jetway.bench.load.StageInfo;
import dev.jetway.bench.traffic.TrafficClass;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Collects client-side measurements of one run and turns them into a {@link PolicyReport}. Not thread-safe: the
 * simulator calls it from its single event loop; the live driver serializes calls.
 */
public final class MetricsCollector {

    private static final int MAX_ERROR_KINDS = 20;

    private final List<StageInfo> stages;
    private final Slo slo;
    private final boolean drainedStages;
    private final Stage[] perStage;
    /** The run's traffic classes (empty without any) and each one's position, which indexes the tallies. */
    private final List<TrafficClass> classes;
    private final Map<TrafficClass, Integer> classIndex = new HashMap<>();
    private final Map<Integer, Replica> replicas = new TreeMap<>();
    private int lastWindow;

    /** Stages on the plan's clock: throughput counts what happened inside each stage's planned window. */
    public MetricsCollector(List<StageInfo> stages, Slo slo) {
        this(stages, slo, false);
    }

    /**
     * @param drainedStages stages drain before the next starts ({@link dev.jetway.bench.load.StageTransition}), so
     *                      everything a request does happens inside its own stage's window: tokens and completions
     *                      count for the request's stage, and the windows come from {@link #report(String, Cost,
     *                      long[], long[])}; a stage's output tokens are those of its successful requests, as
     *                      inference-perf counts them (a request that times out still stretches the window)
     */
    public MetricsCollector(List<StageInfo> stages, Slo slo, boolean drainedStages) {
        this(stages, slo, drainedStages, List.of());
    }

    /**
     * @param classes the plan's traffic classes: the report then has each one's numbers (per stage and over the
     *                measured stages), pooled per priority and per tenant ({@link TrafficReport})
     */
    public MetricsCollector(List<StageInfo> stages, Slo slo, boolean drainedStages, List<TrafficClass> classes) {
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("at least one stage");
        }
        this.stages = List.copyOf(stages);
        this.slo = slo;
        this.drainedStages = drainedStages;
        this.classes = List.copyOf(classes);
        for (int i = 0; i < this.classes.size(); i++) {
            classIndex.put(this.classes.get(i), i);
        }
        this.perStage = new Stage[stages.size()];
        for (int i = 0; i < perStage.length; i++) {
            perStage[i] = new Stage(this.classes.size());
        }
    }

    public RequestTrace start(long index, int stage, long scheduledNanos) {
        perStage[stage].requests++;
        return new RequestTrace(index, stage, scheduledNanos);
    }

    /** A request sent by traffic class {@code trafficClass} (null: none), one of the classes given at construction. */
    public RequestTrace start(long index, int stage, long scheduledNanos, TrafficClass trafficClass) {
        if (trafficClass == null) {
            return start(index, stage, scheduledNanos);
        }
        Integer c = classIndex.get(trafficClass);
        if (c == null) {
            throw new IllegalArgumentException("traffic class " + trafficClass.name() + " is not one of the run's");
        }
        perStage[stage].requests++;
        perStage[stage].classes[c].requests++;
        return new RequestTrace(index, stage, scheduledNanos, c);
    }

    /** {@code count} output tokens of {@code r} arrived at {@code timeNanos}. */
    public void tokens(RequestTrace r, int count, long timeNanos) {
        if (count <= 0) {
            return;
        }
        if (r.firstTokenNanos < 0) {
            r.firstTokenNanos = timeNanos;
        } else {
            // A chunk of several tokens: spread its gap evenly, as each token's share of the wait.
            perStage[r.stage].itl.recordNanos((timeNanos - r.lastTokenNanos) / count, count);
        }
        r.lastTokenNanos = timeNanos;
        r.outputTokens += count;
        if (!drainedStages) {
            Stage window = windowOf(timeNanos);
            if (window != null) {
                window.outputTokensInWindow += count;
            }
        }
    }

    /**
     * The request ended. {@code outputTokens} from the server's usage wins over the counted stream when given (> 0);
     * {@code replica} is -1 when unknown (live benchmark through a gateway).
     */
    public void finish(RequestTrace r, boolean success, String error, long endNanos, int promptTokens,
                       int cachedTokens, int outputTokens, int replica) {
        finish(r, success, error, endNanos, promptTokens, cachedTokens, outputTokens, replica, 0, null);
    }

    /**
     * As {@link #finish(RequestTrace, boolean, String, long, int, int, int, int)}, for a failure also the HTTP status
     * answered ({@code 0} when there was none: a timeout, a refused connection, a stream broken after its 200) and
     * the gateway's {@code x-llm-d-request-dropped-reason} (or null), which the request's traffic class counts.
     */
    public void finish(RequestTrace r, boolean success, String error, long endNanos, int promptTokens,
                       int cachedTokens, int outputTokens, int replica, int httpStatus, String droppedReason) {
        Stage s = perStage[r.stage];
        if (outputTokens > 0) {
            r.outputTokens = outputTokens;
        }
        if (replica >= 0) {
            Replica rep = replicas.computeIfAbsent(replica, k -> new Replica());
            rep.requests++;
            rep.promptTokens += promptTokens;
            rep.cachedTokens += cachedTokens;
        }
        if (!success) {
            s.failed++;
            String kind = error == null || error.isBlank() ? "unknown error" : error;
            if (s.errors.size() >= MAX_ERROR_KINDS && !s.errors.containsKey(kind)) {
                kind = "other errors";
            }
            s.errors.merge(kind, 1L, Long::sum);
            if (r.trafficClass >= 0) {
                s.classes[r.trafficClass].failed(httpStatus, droppedReason, endNanos - r.scheduledNanos);
            }
            return;
        }
        s.completed++;
        s.promptTokens += promptTokens;
        s.cachedTokens += cachedTokens;
        long ttft = (r.firstTokenNanos >= 0 ? r.firstTokenNanos : endNanos) - r.scheduledNanos;
        long e2e = endNanos - r.scheduledNanos;
        s.ttft.recordNanos(ttft, 1);
        s.e2e.recordNanos(e2e, 1);
        double tpotSeconds = 0;
        if (r.outputTokens > 1 && r.firstTokenNanos >= 0) {
            long tpot = (endNanos - r.firstTokenNanos) / (r.outputTokens - 1);
            s.tpot.recordNanos(tpot, 1);
            tpotSeconds = tpot / 1e9;
        }
        if (slo != null && slo.met(ttft / 1e9, tpotSeconds)) {
            s.good++;
        }
        if (r.trafficClass >= 0) {
            s.classes[r.trafficClass].completed(ttft, e2e, r.outputTokens);
        }
        Stage window = drainedStages ? s : windowOf(endNanos);
        if (window != null) {
            window.completedInWindow++;
            window.inputTokensInWindow += promptTokens;
            if (drainedStages) {
                window.outputTokensInWindow += r.outputTokens;
            }
        }
    }

    /**
     * One leg of a split (P/D) request served by {@code replica}: counted in that replica's requests and prefix hits.
     * A split request's {@link #finish} then names no replica, so each leg counts where it ran.
     */
    public void legServed(int replica, int promptTokens, int cachedTokens) {
        Replica rep = replicas.computeIfAbsent(replica, k -> new Replica());
        rep.requests++;
        rep.promptTokens += promptTokens;
        rep.cachedTokens += cachedTokens;
    }

    /** One metrics scrape of a replica (what the gateway's data layer would see). */
    public void sampleReplica(int replica, int waiting, int running, double kvUsage) {
        Replica rep = replicas.computeIfAbsent(replica, k -> new Replica());
        rep.waiting.recordValue(Math.max(0, waiting));
        rep.running.recordValue(Math.max(0, running));
        rep.kvPermille.recordValue(Math.max(0, Math.min(1000, Math.round(kvUsage * 1000))));
    }

    /** The stage whose window contains {@code timeNanos}, or null (after the last stage). Times mostly ascend. */
    private Stage windowOf(long timeNanos) {
        StageInfo cached = stages.get(lastWindow);
        if (timeNanos >= cached.startNanos() && timeNanos < cached.endNanos()) {
            return perStage[lastWindow];
        }
        for (int i = stages.size() - 1; i >= 0; i--) {
            StageInfo info = stages.get(i);
            if (timeNanos >= info.startNanos()) {
                if (timeNanos < info.endNanos()) {
                    lastWindow = i;
                    return perStage[i];
                }
                return null;
            }
        }
        return null;
    }

    /** The report with each stage's planned window. */
    public PolicyReport report(String policy, Cost cost) {
        long[] starts = new long[stages.size()];
        long[] ends = new long[stages.size()];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = stages.get(i).startNanos();
            ends[i] = stages.get(i).endNanos();
        }
        return report(policy, cost, starts, ends);
    }

    /**
     * The report with each stage's window as run ({@code starts[i]} to {@code ends[i]}, nanoseconds; a stage that never
     * started or ended has -1 and an empty window). The overall summary's {@code stage_mean_output_tokens_per_s} is
     * the plain mean of the non-warm-up stages' {@code output_tokens_per_s}, the aggregate llm-d's benchmark reports
     * print as "summary across QPS".
     */
    public PolicyReport report(String policy, Cost cost, long[] starts, long[] ends) {
        List<StageSummary> stageSummaries = new ArrayList<>();
        Stage overall = new Stage(classes.size());
        double overallSeconds = 0;
        for (int i = 0; i < perStage.length; i++) {
            StageInfo info = stages.get(i);
            double seconds = starts[i] < 0 || ends[i] < starts[i] ? 0 : (ends[i] - starts[i]) / 1e9;
            Summary stage = summarize(perStage[i], seconds, cost, null);
            stageSummaries.add(new StageSummary(i, info.rate(), Math.max(0, starts[i]) / 1e9, info.warmup(), stage,
                    traffic(perStage[i], seconds)));
            if (!info.warmup()) {
                overall.add(perStage[i]);
                overallSeconds += seconds;
            }
        }
        List<ReplicaSummary> replicaSummaries = new ArrayList<>();
        replicas.forEach((id, r) -> replicaSummaries.add(r.summary(id)));
        List<CdfPoint> cdf = new ArrayList<>();
        if (overall.ttft.count() > 0) {
            for (double p : new double[] {0, 1, 5, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 97.5, 99,
                    99.5, 99.9, 100}) {
                cdf.add(new CdfPoint(p, overall.ttft.percentile(p)));
            }
        }
        Double stageMean = AcrossStages.of(stageSummaries).outputTokensPerS();
        return new PolicyReport(policy, summarize(overall, overallSeconds, cost, stageMean), stageSummaries,
                replicaSummaries, cdf, null, traffic(overall, overallSeconds));
    }

    /** The window per traffic class; null when the run has no classes. */
    private TrafficReport traffic(Stage s, double seconds) {
        return classes.isEmpty() ? null : TrafficReport.of(classes, s.classes, seconds);
    }

    private Summary summarize(Stage s, double seconds, Cost cost, Double stageMeanOutputTokensPerS) {
        long ended = s.completed + s.failed;
        double success = ended == 0 ? 0 : (double) s.completed / ended;
        double perS = seconds > 0 ? 1 / seconds : 0;
        double outTokPerS = s.outputTokensInWindow * perS;
        Double goodput = slo == null ? null : s.good * perS;
        Double attainment = slo == null ? null : (ended == 0 ? 0.0 : (double) s.good / ended);
        Double perDollar = cost == null || seconds <= 0 ? null : s.outputTokensInWindow / cost.of(seconds);
        double hit = s.promptTokens == 0 ? 0 : (double) s.cachedTokens / s.promptTokens;
        return new Summary(s.requests, s.completed, s.failed, success, seconds, s.completedInWindow * perS, outTokPerS,
                s.inputTokensInWindow * perS,
                s.ttft.mean(), s.ttft.percentile(50), s.ttft.percentile(90), s.ttft.percentile(95), s.ttft.percentile(99),
                s.itl.mean(), s.itl.percentile(50), s.itl.percentile(90), s.itl.percentile(95), s.itl.percentile(99),
                s.tpot.mean(), s.tpot.percentile(50), s.tpot.percentile(90), s.tpot.percentile(95), s.tpot.percentile(99),
                s.e2e.mean(), s.e2e.percentile(50), s.e2e.percentile(90), s.e2e.percentile(95), s.e2e.percentile(99),
                hit, goodput, attainment, perDollar, Map.copyOf(s.errors), stageMeanOutputTokensPerS);
    }

    /** Accumulators of one stage. Latencies by scheduled stage; window counters by the time things happened. */
    private static final class Stage {
        final LatencyHistogram ttft = new LatencyHistogram();
        final LatencyHistogram itl = new LatencyHistogram();
        final LatencyHistogram tpot = new LatencyHistogram();
        final LatencyHistogram e2e = new LatencyHistogram();
        final Map<String, Long> errors = new LinkedHashMap<>();
        /** One per traffic class of the run. */
        final ClassTally[] classes;
        long requests;
        long completed;
        long failed;
        long good;
        long promptTokens;
        long cachedTokens;
        long outputTokensInWindow;
        long completedInWindow;
        long inputTokensInWindow;

        Stage(int trafficClasses) {
            classes = new ClassTally[trafficClasses];
            for (int i = 0; i < trafficClasses; i++) {
                classes[i] = new ClassTally();
            }
        }

        void add(Stage o) {
            for (int i = 0; i < classes.length; i++) {
                classes[i].add(o.classes[i]);
            }
            ttft.add(o.ttft);
            itl.add(o.itl);
            tpot.add(o.tpot);
            e2e.add(o.e2e);
            o.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
            requests += o.requests;
            completed += o.completed;
            failed += o.failed;
            good += o.good;
            promptTokens += o.promptTokens;
            cachedTokens += o.cachedTokens;
            outputTokensInWindow += o.outputTokensInWindow;
            completedInWindow += o.completedInWindow;
            inputTokensInWindow += o.inputTokensInWindow;
        }
    }

    private static final class Replica {
        final Histogram waiting = new Histogram(3);
        final Histogram running = new Histogram(3);
        final Histogram kvPermille = new Histogram(1001, 3);
        long requests;
        long promptTokens;
        long cachedTokens;

        ReplicaSummary summary(int id) {
            boolean sampled = waiting.getTotalCount() > 0;
            return new ReplicaSummary(id, requests, promptTokens == 0 ? 0 : (double) cachedTokens / promptTokens,
                    sampled ? waiting.getMean() : null,
                    sampled ? (double) waiting.getValueAtPercentile(90) : null,
                    sampled ? (double) waiting.getMaxValue() : null,
                    sampled ? running.getMean() : null,
                    sampled ? kvPermille.getMean() / 1000 : null,
                    sampled ? kvPermille.getValueAtPercentile(90) / 1000.0 : null,
                    sampled ? kvPermille.getMaxValue() / 1000.0 : null, null);
        }
    }
}
