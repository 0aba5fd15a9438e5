package dev.jetway.sim.metrics;

import dev.jetway.engine.Completion;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The request-level metrics one replica exports with vLLM's names and buckets (vLLM {@code v1/metrics/loggers.py}).
 * Engine-level gauges and counters come from the engine's own {@code EngineStats}; see {@link PrometheusText}.
 * Updated on the engine thread.
 */
public final class SimMetrics {

    static final double[] TTFT_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0,
            2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
    static final double[] ITL_BUCKETS = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5,
            5.0, 7.5, 10.0, 20.0, 40.0, 80.0};
    static final double[] REQUEST_LATENCY_BUCKETS = {0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0,
            30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};

    final Histogram timeToFirstToken = new Histogram(TTFT_BUCKETS);
    final Histogram interTokenLatency = new Histogram(ITL_BUCKETS);
    final Histogram e2eLatency = new Histogram(REQUEST_LATENCY_BUCKETS);
    final Histogram queueTime = new Histogram(REQUEST_LATENCY_BUCKETS);
    private final AtomicLongArray finished = new AtomicLongArray(Completion.FinishReason.values().length);

    public void recordQueueTime(long nanos) {
        queueTime.observeNanos(nanos);
    }

    public void recordFirstToken(long nanosSinceArrival) {
        timeToFirstToken.observeNanos(nanosSinceArrival);
    }

    public void recordInterToken(long nanos) {
        interTokenLatency.observeNanos(nanos);
    }

    public void recordFinished(Completion.FinishReason reason, long e2eNanos) {
        finished.incrementAndGet(reason.ordinal());
        e2eLatency.observeNanos(e2eNanos);
    }

    long finished(Completion.FinishReason reason) {
        return finished.get(reason.ordinal());
    }
}
