package dev.jetway.sim.kvevents;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The last {@code capacity} published messages, oldest first, like vLLM's replay {@code deque(maxlen=buffer_steps)}.
 * The publisher's thread adds, the replay socket's thread reads: both hold the buffer's monitor, briefly (a replay
 * copies out the entries it sends and sends them after).
 */
final class ReplayBuffer {

    /** One published message; {@code payload} is the exact PUB frame and is never modified. */
    record Entry(long seq, byte[] payload) {
    }

    private final int capacity;
    private final ArrayDeque<Entry> entries;

    ReplayBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("replay buffer needs at least 1 message: " + capacity);
        }
        this.capacity = capacity;
        this.entries = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    synchronized void add(long seq, byte[] payload) {
        if (entries.size() == capacity) {
            entries.removeFirst();
        }
        entries.addLast(new Entry(seq, payload));
    }

    /** Buffered messages whose sequence is at least {@code startSeq} (both unsigned, as on the wire), in order. */
    synchronized List<Entry> from(long startSeq) {
        return entries.stream().filter(e -> Long.compareUnsigned(e.seq(), startSeq) >= 0).toList();
    }

    int capacity() {
        return capacity;
    }
}
