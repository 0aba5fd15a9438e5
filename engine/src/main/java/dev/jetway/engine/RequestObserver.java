package dev.jetway.engine;

/**
 * Receives one request's progress. Called on the thread that drives the engine, at the (wall or virtual) time the
 * step that produced the output completes. Implementations must not block.
 */
public interface RequestObserver {

    /** The request was scheduled for its first step; {@code queuedNanos} is the time it waited. */
    default void onScheduled(long timeNanos, long queuedNanos, int cachedPromptTokens) {
    }

    /** {@code count} new output tokens became available at {@code timeNanos}; the first call is the first token. */
    void onTokens(int count, long timeNanos);

    /** The request ended; no call follows. */
    void onFinished(Completion completion);
}
