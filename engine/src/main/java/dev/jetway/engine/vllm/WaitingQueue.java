package dev.jetway.engine.vllm;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * The engine's waiting queue in the order of its scheduling policy, as vLLM's {@code FCFSRequestQueue} and
 * {@code PriorityRequestQueue}: new requests join at the back; preempted requests and arrived KV transfers go back
 * to the front (FCFS), or, by priority, to where their priority and arrival time put them.
 */
sealed interface WaitingQueue {

    static WaitingQueue fcfs() {
        return new Fcfs();
    }

    static WaitingQueue byPriority() {
        return new ByPriority();
    }

    /** A new request. */
    void add(Sequence seq);

    /** A request that has been here before: preempted, or its remote KV arrived. */
    void addBack(Sequence seq);

    Sequence peek();

    Sequence poll();

    void remove(Sequence seq);

    boolean isEmpty();

    int size();

    /** Every waiting request, in no particular order. */
    java.util.List<Sequence> toList();

    /** Arrival order, the front first; back-to-front when re-added. */
    final class Fcfs implements WaitingQueue {
        private final ArrayDeque<Sequence> queue = new ArrayDeque<>();

        @Override
        public void add(Sequence seq) {
            queue.addLast(seq);
        }

        @Override
        public void addBack(Sequence seq) {
            queue.addFirst(seq);
        }

        @Override
        public Sequence peek() {
            return queue.peekFirst();
        }

        @Override
        public Sequence poll() {
            return queue.pollFirst();
        }

        @Override
        public void remove(Sequence seq) {
            queue.remove(seq);
        }

        @Override
        public boolean isEmpty() {
            return queue.isEmpty();
        }

        @Override
        public int size() {
            return queue.size();
        }

        @Override
        public java.util.List<Sequence> toList() {
            return java.util.List.copyOf(queue);
        }
    }

    /**
     * Lowest {@code priority} value first, then the earliest arrival, then submission order (vLLM's heap key
     * {@code (priority, arrival_time)}); a re-added request keeps its place by the same key.
     */
    final class ByPriority implements WaitingQueue {
        static final Comparator<Sequence> ORDER = Comparator.comparingInt((Sequence s) -> s.request.priority())
                .thenComparingLong(s -> s.arrivalNanos)
                .thenComparingLong(s -> s.submitOrder);
        private final PriorityQueue<Sequence> queue = new PriorityQueue<>(ORDER);

        @Override
        public void add(Sequence seq) {
            queue.add(seq);
        }

        @Override
        public void addBack(Sequence seq) {
            queue.add(seq);
        }

        @Override
        public Sequence peek() {
            return queue.peek();
        }

        @Override
        public Sequence poll() {
            return queue.poll();
        }

        @Override
        public void remove(Sequence seq) {
            queue.remove(seq);
        }

        @Override
        public boolean isEmpty() {
            return queue.isEmpty();
        }

        @Override
        public int size() {
            return queue.size();
        }

        @Override
        public java.util.List<Sequence> toList() {
            return java.util.List.copyOf(queue);
        }
    }
}
