package dev.jetway.engine;

/** A clock that only moves when told to: the discrete-event simulator's time. Not thread-safe. */
public final class VirtualClock implements Clock {

    private long now;

    public VirtualClock(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public long nanos() {
        return now;
    }

    /** Moves time forward to {@code nanos}; time never goes back. */
    public void advanceTo(long nanos) {
        if (nanos < now) {
            throw new IllegalArgumentException("time goes forward only: " + nanos + " < " + now);
        }
        now = nanos;
    }
}
