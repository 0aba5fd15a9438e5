package dev.jetway.engine;

/**
 * Time for the engine model. The same model runs on wall time (the {@code jetway sim} server) and on virtual time
 * (the what-if simulator), so it never reads the system clock itself.
 */
public interface Clock {

    /** Monotonic time in nanoseconds; the origin is arbitrary. */
    long nanos();

    /** Wall time: {@link System#nanoTime()}. */
    static Clock system() {
        return System::nanoTime;
    }
}
