package dev.jetway.sim.http;

import io.netty.util.concurrent.EventExecutor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the responses that have news from one engine step and hands them to their event loops as one task per
 * loop, instead of one cross-thread wake-up per request and token. Run by the engine thread after each step.
 * Engine thread only.
 */
public final class DrainBatcher implements Runnable {

    private final Map<EventExecutor, List<Runnable>> pending = new IdentityHashMap<>(4);

    void add(EventExecutor executor, Runnable drain) {
        pending.computeIfAbsent(executor, e -> new ArrayList<>()).add(drain);
    }

    /** Hands everything collected to the event loops. */
    @Override
    public void run() {
        if (pending.isEmpty()) {
            return;
        }
        for (Map.Entry<EventExecutor, List<Runnable>> entry : pending.entrySet()) {
            List<Runnable> drains = entry.getValue();
            entry.getKey().execute(() -> {
                for (Runnable drain : drains) {
                    drain.run();
                }
            });
        }
        pending.clear();
    }
}
