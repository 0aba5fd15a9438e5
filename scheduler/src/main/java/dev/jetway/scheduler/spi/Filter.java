package dev.jetway.scheduler.spi;

/** Removes endpoints that must not serve the request. Filters of a profile run in order. */
public interface Filter extends Plugin {

    /** Shrinks {@code candidates} in place (see {@link Candidates#retainIf}). */
    void filter(SchedulingContext context, Candidates candidates);
}
