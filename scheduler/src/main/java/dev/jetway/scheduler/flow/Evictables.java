package dev.jetway.scheduler.flow;

import java.util.Map;
import java.util.TreeMap;

/**
 * The running sheddable requests eviction may stop, by priority, each priority's in the order they started:
 * the victim is the newest of the lowest priority (the least GPU work lost, the least important request).
 */
final class Evictables {

    private static final class Chain {
        FlowTicket oldest;
        FlowTicket newest;
    }

    private final TreeMap<Integer, Chain> byPriority = new TreeMap<>();
    private int size;

    int size() {
        return size;
    }

    void add(FlowTicket t) {
        Chain c = byPriority.computeIfAbsent(t.request.priority(), p -> new Chain());
        t.evictPrev = c.newest;
        t.evictNext = null;
        if (c.newest == null) {
            c.oldest = t;
        } else {
            c.newest.evictNext = t;
        }
        c.newest = t;
        t.evictable = true;
        size++;
    }

    void remove(FlowTicket t) {
        Chain c = byPriority.get(t.request.priority());
        if (t.evictPrev == null) {
            c.oldest = t.evictNext;
        } else {
            t.evictPrev.evictNext = t.evictNext;
        }
        if (t.evictNext == null) {
            c.newest = t.evictPrev;
        } else {
            t.evictNext.evictPrev = t.evictPrev;
        }
        t.evictPrev = null;
        t.evictNext = null;
        t.evictable = false;
        size--;
        if (c.oldest == null) {
            byPriority.remove(t.request.priority());
        }
    }

    /** The request to stop next, or null. */
    FlowTicket victim() {
        Map.Entry<Integer, Chain> lowest = byPriority.firstEntry();
        return lowest == null ? null : lowest.getValue().newest;
    }
}
