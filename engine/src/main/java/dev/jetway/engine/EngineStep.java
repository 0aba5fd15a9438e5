package dev.jetway.engine;

/**
 * One scheduler step of the engine, planned at a start time. The caller lets {@link #durationNanos()} pass (sleeps
 * on wall time, or schedules an event on virtual time), then calls {@link #complete()}, which delivers the step's
 * outputs to the {@link RequestObserver}s. The next step may be planned only after {@code complete()}.
 */
public interface EngineStep {

    /** How long the step takes, from the cost model. */
    long durationNanos();

    /** Tokens processed in this step (prefill chunks plus one per decoding request). */
    int batchedTokens();

    /** Delivers the outputs at {@code start + durationNanos()}. */
    void complete();
}
