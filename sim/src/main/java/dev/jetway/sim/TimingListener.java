package dev.jetway.sim;

/**
 * Hears, on the engine thread, when the model produced each request's first token; lets a load driver separate
 * the model's time to first token from the simulator's own delay. Must not block.
 */
@FunctionalInterface
public interface TimingListener {

    /**
     * @param responseId        the {@code id} of the response (as the client sees it)
     * @param arrivalNanos      {@link System#nanoTime()} when the server had the whole request
     * @param firstTokenNanos   {@link System#nanoTime()} scale: when the model's step producing the first token ended
     */
    void onFirstToken(String responseId, long arrivalNanos, long firstTokenNanos);
}
