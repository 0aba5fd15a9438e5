package dev.jetway.gateway.discovery;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns a burst of signals into one run of an action, {@code delay} after the burst's first signal. Measured from the
 * first signal rather than the last so that a steady trickle (a rollout that never pauses) still gets applied within
 * the delay. A signal that arrives while the action runs schedules one more run.
 */
final class Debouncer implements AutoCloseable {

    private final ScheduledExecutorService executor;
    private final Runnable action;
    private final long delayNanos;
    private final AtomicBoolean pending = new AtomicBoolean();

    Debouncer(String name, Duration delay, Runnable action) {
        this.executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name(name).factory());
        this.action = action;
        this.delayNanos = delay.toNanos();
    }

    void signal() {
        if (pending.compareAndSet(false, true) && !executor.isShutdown()) {
            executor.schedule(this::fire, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void fire() {
        pending.set(false);
        action.run();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
