package dev.jetway.scheduler.flow;

import java.util.Comparator;

/**
 * The queue of one fairness id within one band. Exists only while it holds requests, so a flood of distinct
 * fairness ids costs memory only for as long as their requests wait.
 */
final class Flow extends HeapNode {

    /** Band order: the ordering policy's key, then arrival. */
    static final Comparator<FlowTicket> TICKET_ORDER = (a, b) -> {
        int c = Long.compare(a.key, b.key);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    };

    /** Flows by their head request (global-strict fairness). */
    static final Comparator<Flow> HEAD_ORDER = (a, b) -> TICKET_ORDER.compare(a.queue.peek(), b.queue.peek());

    final String fairnessId;
    final Band band;
    final MinHeap<FlowTicket> queue = new MinHeap<>(TICKET_ORDER);
    long bytes;
    // round-robin rotation
    Flow next;
    Flow prev;

    Flow(String fairnessId, Band band) {
        this.fairnessId = fairnessId;
        this.band = band;
    }
}
