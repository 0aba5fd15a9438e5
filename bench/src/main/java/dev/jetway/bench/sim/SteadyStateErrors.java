package dev.jetway.bench.sim;

import dev.jetway.bench.metrics.LatencyModelReport;
import dev.jetway.scheduler.latency.LatencyModel;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The latency model's error in steady state, as the latency-model work defines its target: the mean absolute
 * percentage error of every prediction whose outcome was observed while the workload was arriving, after a warm-up of
 * {@link #WARMUP_FRACTION} of the arrival span (the model learning from its prior). The end-of-run window the model
 * itself exports (its last predictions) falls in the drain after the last arrival, where long decodes finish on an
 * emptying pool faster than anything at their start said; that is reported beside this, not instead of it.
 *
 * <p>Errors are summed per second of virtual time, so the window can be chosen when the run is over (a staged plan's
 * arrivals move with its drains) without keeping every observation.
 */
final class SteadyStateErrors implements Consumer<LatencyModel.Sample> {

    /** Share of the arrival span treated as warm-up. */
    static final double WARMUP_FRACTION = 0.2;

    private static final int KINDS = LatencyModel.Kind.values().length;

    private double[] sums = new double[64 * KINDS];
    private long[] counts = new long[64 * KINDS];

    @Override
    public void accept(LatencyModel.Sample s) {
        if (!(s.observed() > 0) || s.atNanos() < 0) {
            return;
        }
        int i = (int) (s.atNanos() / 1_000_000_000L) * KINDS + s.kind().ordinal();
        if (i >= sums.length) {
            int size = Math.max(i + KINDS, sums.length * 2);
            sums = Arrays.copyOf(sums, size);
            counts = Arrays.copyOf(counts, size);
        }
        sums[i] += Math.abs(s.predicted() - s.observed()) / s.observed();
        counts[i]++;
    }

    /** The error over the observations from the warm-up's end to {@code lastArrivalNanos}. */
    LatencyModelReport.SteadyState report(long lastArrivalNanos) {
        int from = (int) (lastArrivalNanos * WARMUP_FRACTION / 1e9);
        int to = (int) (lastArrivalNanos / 1_000_000_000L);
        double[] sum = new double[KINDS];
        long[] count = new long[KINDS];
        for (int second = from; second < to && second * KINDS < sums.length; second++) {
            for (int k = 0; k < KINDS; k++) {
                sum[k] += sums[second * KINDS + k];
                count[k] += counts[second * KINDS + k];
            }
        }
        long total = 0;
        Double[] mape = new Double[KINDS];
        for (int k = 0; k < KINDS; k++) {
            mape[k] = count[k] == 0 ? null : sum[k] / count[k];
            total += count[k];
        }
        return new LatencyModelReport.SteadyState(from, to, mape[LatencyModel.Kind.TTFT.ordinal()],
                mape[LatencyModel.Kind.TPOT.ordinal()], mape[LatencyModel.Kind.E2E.ordinal()], total);
    }
}
