package dev.jetway.engine;

/**
 * One simulated vLLM replica: paged KV cache with automatic prefix caching, a continuous-batching scheduler and a
 * cost model for step times. Single-threaded: every method must be called from the thread that drives it.
 */
public interface Engine {

    /** Queues a request; its observer hears about it from the step that first schedules it. */
    void submit(EngineRequest request, RequestObserver observer);

    /** Aborts a waiting or running request (client disconnected); frees its blocks. Unknown ids are ignored. */
    void abort(String requestId);

    /**
     * A decode engine has pulled the KV of the prefill-only run {@code requestId}
     * ({@link KvTransfer.PrefillForRemoteDecode}), so the blocks it kept for the transfer can be freed now instead of
     * at the end of the transfer window. Unknown ids are ignored; an engine without P/D has nothing to release.
     */
    default void releaseKvTransfer(String requestId) {
    }

    /** True when nothing is waiting or running: no step to plan. */
    boolean idle();

    /** Plans the next step starting at {@code startNanos}; the engine must not be idle. */
    EngineStep plan(long startNanos);

    /** The state a {@code /metrics} scrape would show now. */
    EngineStats stats();

    /** Drops every cached block (emits {@code AllBlocksCleared}); running requests are aborted. */
    void reset();
}
