package dev.jetway.bench.sim;

import dev.jetway.engine.VirtualClock;
import java.util.PriorityQueue;

/**
 * The discrete-event loop: actions ordered by virtual time, ties broken by the order they were scheduled, so a run
 * is reproducible. Running an action first moves the {@link VirtualClock} to its time.
 */
final class EventQueue {

    private record Event(long timeNanos, long seq, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compare(timeNanos, o.timeNanos);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final VirtualClock clock;
    private long seq;
    private long processed;

    EventQueue(VirtualClock clock) {
        this.clock = clock;
    }

    void at(long timeNanos, Runnable action) {
        events.add(new Event(Math.max(timeNanos, clock.nanos()), seq++, action));
    }

    long now() {
        return clock.nanos();
    }

    /** Runs the next action; false when none is left. */
    boolean step() {
        Event e = events.poll();
        if (e == null) {
            return false;
        }
        clock.advanceTo(e.timeNanos());
        processed++;
        e.action().run();
        return true;
    }

    long processed() {
        return processed;
    }
}
