package dev.jetway.sim.http;

import io.netty.util.concurrent.EventExecutor;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the responses that have news from one engine step and writes them once the step's callbacks are over.
 * A response whose connection lives on the engine's own event loop (the normal case: a replica's connections and
 * its engine share one loop) is written right there; the few others go to their loop as one task per loop,
 * instead of one cross-thread wake-up per request and token. Runs on the engine's event loop only.
 */
public final class DrainBatcher implements Runnable {

    private final List<EventExecutor> executors = new ArrayList<>(2);
    private final List<List<Runnable>> drainsByExecutor = new ArrayList<>(2);
    private final ArrayList<Runnable> local = new ArrayList<>();

    void add(EventExecutor executor, Runnable drain) {
        if (executor.inEventLoop()) {
            local.add(drain);
            return;
        }
        int at = executors.indexOf(executor);
        if (at < 0) {
            executors.add(executor);
            drainsByExecutor.add(new ArrayList<>());
            at = executors.size() - 1;
        }
        drainsByExecutor.get(at).add(drain);
    }

    /** Writes what is due here and hands the rest to the other event loops. */
    @Override
    public void run() {
        for (int i = 0; i < executors.size(); i++) {
            List<Runnable> drains = drainsByExecutor.get(i);
            executors.get(i).execute(() -> drains.forEach(Runnable::run));
        }
        executors.clear();
        drainsByExecutor.clear();
        // Index loop: a drain may add drains of its own (a finished response lets a pipelined request start).
        for (int i = 0; i < local.size(); i++) {
            local.get(i).run();
        }
        local.clear();
    }
}
