package dev.jetway.scheduler.flow;

import java.util.HashMap;
import java.util.Map;

/**
 * The requests of one priority: its flows, its fairness bookkeeping, and all its requests in arrival order. One band
 * has one TTL, so arrival order is expiry order and expiring is O(1) per request.
 */
final class Band {

    final int priority;
    PriorityBand settings;
    long ttlNanos;
    FairnessState fairness;
    final Map<String, Flow> flows = new HashMap<>();
    FlowTicket oldest;
    FlowTicket newest;
    long requests;
    long bytes;

    Band(PriorityBand settings) {
        this.priority = settings.priority();
        apply(settings);
    }

    void apply(PriorityBand next) {
        this.settings = next;
        this.ttlNanos = next.requestTTL().toNanos();
        this.fairness = FairnessState.of(next.fairness());
    }

    void append(FlowTicket t) {
        t.arrivalPrev = newest;
        t.arrivalNext = null;
        if (newest == null) {
            oldest = t;
        } else {
            newest.arrivalNext = t;
        }
        newest = t;
    }

    void unlink(FlowTicket t) {
        if (t.arrivalPrev == null) {
            oldest = t.arrivalNext;
        } else {
            t.arrivalPrev.arrivalNext = t.arrivalNext;
        }
        if (t.arrivalNext == null) {
            newest = t.arrivalPrev;
        } else {
            t.arrivalNext.arrivalPrev = t.arrivalPrev;
        }
        t.arrivalPrev = null;
        t.arrivalNext = null;
    }
}
