package dev.jetway.sim.loop;

import dev.jetway.engine.Clock;

/**
 * The engine's clock in the server: wall time, except while a request is handed to the engine, when it reads the
 * moment the server received that request. The engine then measures queueing from the real arrival, not from when
 * the engine thread got round to it. Engine thread only.
 */
public final class LoopClock implements Clock {

    private long pinned = Long.MIN_VALUE;

    @Override
    public long nanos() {
        return pinned != Long.MIN_VALUE ? pinned : System.nanoTime();
    }

    void pin(long nanos) {
        pinned = nanos;
    }

    void unpin() {
        pinned = Long.MIN_VALUE;
    }
}
