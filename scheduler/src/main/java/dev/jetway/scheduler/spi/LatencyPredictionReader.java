package dev.jetway.scheduler.spi;

import dev.jetway.scheduler.latency.LatencyPredictions;

/**
 * Implemented by plugins that read latency predictions; the config loader creates the named producer when it is
 * missing and is the default one (llm-d auto-creates {@code predicted-latency-producer} for its consumers).
 */
public interface LatencyPredictionReader {

    /** The default producer name (llm-d's {@code latencyPredictionInfoProducerName} default). */
    String DEFAULT_PRODUCER = "predicted-latency-producer";

    /** Name of the producer whose predictions this plugin reads; null when this instance reads none. */
    String latencyPredictionProducerName();

    /** What that producer predicted for the request in {@code context}; null when it predicted nothing. */
    default LatencyPredictions latencyPredictions(SchedulingContext context) {
        String producer = latencyPredictionProducerName();
        return producer == null ? null : context.get(LatencyPredictions.keyFor(producer));
    }
}
