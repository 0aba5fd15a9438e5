package dev.jetway.gateway.kvevents;

import dev.jetway.kvcache.event.KvEventMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Fetches missed KV-event messages from a publisher's replay socket (vLLM's {@code replay_endpoint}, a ZMQ ROUTER
 * that keeps the last {@code buffer_steps} messages). The request is {@code ["", startSeq (8 bytes big-endian)]} from a
 * DEALER; the publisher answers every buffered message from {@code startSeq} on as {@code ["", seq, payload]} (vLLM
 * 0.10 and {@code jetway sim}) or {@code ["", topic, seq, payload]} (later vLLM), then the end marker, whose sequence
 * is 0xFFFFFFFFFFFFFFFF.
 */
final class KvEventReplay {

    /** One replayed message: its sequence number and msgpack payload. */
    record Replayed(long seq, byte[] payload) {
    }

    private KvEventReplay() {
    }

    /**
     * The messages {@code from} .. {@code to - 1}, in order, if the publisher still has all of them; empty if it has
     * not, answers out of order or malformed, or does not answer within {@code timeout}. Later messages it sends are
     * not waited for.
     */
    static Optional<List<Replayed>> fetch(ZContext context, String endpoint, long from, long to, Duration timeout) {
        ZMQ.Socket socket = context.createSocket(SocketType.DEALER);
        try {
            socket.setLinger(0);
            socket.connect(endpoint);
            socket.sendMore(new byte[0]);
            socket.send(KvEventMessage.encodeSeq(from));
            long deadline = System.nanoTime() + timeout.toNanos();
            List<Replayed> missed = new ArrayList<>();
            long expected = from;
            while (expected != to) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return Optional.empty();
                }
                socket.setReceiveTimeOut((int) Math.max(1, remaining / 1_000_000));
                List<byte[]> frames = receive(socket);
                if (frames == null) {
                    return Optional.empty(); // timed out
                }
                // ["", seq, payload] or ["", topic, seq, payload]
                if (frames.size() < 3 || frames.size() > 4 || frames.getFirst().length != 0) {
                    return Optional.empty();
                }
                byte[] seqFrame = frames.get(frames.size() - 2);
                if (seqFrame.length != 8) {
                    return Optional.empty();
                }
                long seq = KvEventMessage.decodeSeq(seqFrame);
                if (seq == KvEventMessage.REPLAY_END_SEQ || Long.compareUnsigned(seq, expected) > 0) {
                    return Optional.empty(); // the buffer no longer reaches back to `expected`
                }
                if (seq == expected) {
                    missed.add(new Replayed(seq, frames.getLast()));
                    expected++;
                }
            }
            return Optional.of(missed);
        } catch (RuntimeException e) {
            return Optional.empty();
        } finally {
            socket.close();
        }
    }

    private static List<byte[]> receive(ZMQ.Socket socket) {
        byte[] first = socket.recv(0);
        if (first == null) {
            return null;
        }
        List<byte[]> frames = new ArrayList<>(4);
        frames.add(first);
        while (socket.hasReceiveMore()) {
            frames.add(socket.recv(0));
        }
        return frames;
    }
}
