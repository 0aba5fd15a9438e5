package dev.jetway.sim.loop;

/** Hears, on the engine thread, whether the engine took a submitted request. Must not block. */
public interface Admission {

    /** The engine queued the request; the observer will hear its progress. */
    void accepted();

    /** The engine refused the request (e.g. it can never fit in the KV cache); nothing else follows. */
    void rejected(RuntimeException reason);
}
