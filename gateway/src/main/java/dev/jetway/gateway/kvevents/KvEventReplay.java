package dev.jetway.gateway.kvevents;

import dev.jetway.kvcache.event.KvEventMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZFrame;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * Fetches missed KV-event messages from a publisher's replay socket (vLLM's {@code replay_endpoint}, a ZMQ ROUTER
 * that keeps the last {@code buffer_steps} messages). The request is {@code ["", startSeq (8 bytes big-endian)]} from a
 * DEALER; the publisher answers every buffered message from {@code startSeq} on as {@code ["", seq, payload]} (vLLM
 * 0.10 and {@code jetway sim}) or {@code ["", topic, seq, payload]} (later vLLM), then the end marker, whose sequence
 * is 0xFFFFFFFFFFFFFFFF.
 *
 * <p>The DEALER is connected once, ahead of any gap, and kept: a fresh connect's handshake now and then stalls in
 * JeroMQ 0.6.0 (a few in a thousand on a busy host, docs/simulator.md), which would cost a gap its whole timeout and
 * the endpoint its entries. Every reply is read through its end marker, so the next request starts on a quiet socket;
 * after any failure the socket is dropped, stale replies with it, and a new one is connected at once for the next gap.
 *
 * <p>Not thread-safe, like the socket it wraps: one subscriber thread uses it.
 */
final class KvEventReplay implements AutoCloseable {

    /** One replayed message: its sequence number and msgpack payload. */
    record Replayed(long seq, byte[] payload) {
    }

    private final ZContext context;
    private final String endpoint;
    private final ConnectionLiveness liveness;
    private ZMQ.Socket socket;

    KvEventReplay(ZContext context, String endpoint, ConnectionLiveness liveness) {
        this.context = context;
        this.endpoint = endpoint;
        this.liveness = liveness;
    }

    String endpoint() {
        return endpoint;
    }

    /** Connects now, so that the handshake is done before the first gap; fetching connects too if needed. */
    void connect() {
        if (socket == null) {
            ZMQ.Socket s = context.createSocket(SocketType.DEALER);
            s.setLinger(0);
            liveness.applyTo(s);
            s.connect(endpoint);
            socket = s;
        }
    }

    /**
     * The messages {@code from} .. {@code to - 1}, in order, if the publisher still has all of them; empty if it has
     * not, answers out of order or malformed, or does not answer within {@code timeout}.
     */
    Optional<List<Replayed>> fetch(long from, long to, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            connect();
            socket.sendMore(new byte[0]);
            socket.send(KvEventMessage.encodeSeq(from));
            List<Replayed> missed = new ArrayList<>();
            long expected = from;
            while (true) {
                List<byte[]> frames = receive(deadline);
                if (frames == null) {
                    break; // timed out
                }
                // ["", seq, payload] or ["", topic, seq, payload]
                if (frames.size() < 3 || frames.size() > 4 || frames.getFirst().length != 0
                        || frames.get(frames.size() - 2).length != 8) {
                    break;
                }
                long seq = KvEventMessage.decodeSeq(frames.get(frames.size() - 2));
                if (seq == KvEventMessage.REPLAY_END_SEQ) {
                    return expected == to ? Optional.of(missed) : failed(); // else: the buffer no longer reaches
                }
                if (expected != to && Long.compareUnsigned(seq, expected) > 0) {
                    break; // the buffer no longer reaches back to `expected`
                }
                if (seq == expected && expected != to) {
                    missed.add(new Replayed(seq, frames.getLast()));
                    expected++;
                }
                // messages from `to` on arrive by subscription too: read past them to the end marker
            }
            if (expected == to) {
                reset(); // complete, but the rest of the reply is still on its way: start the next one afresh
                return Optional.of(missed);
            }
            return failed();
        } catch (RuntimeException e) {
            return failed();
        }
    }

    private Optional<List<Replayed>> failed() {
        reset();
        return Optional.empty();
    }

    /** Drops the socket (and any reply still arriving on it) and connects a new one for the next gap. */
    private void reset() {
        close();
        try {
            connect();
        } catch (RuntimeException e) {
            // the next fetch tries again, and fails on its own if the endpoint stays unusable
        }
    }

    private List<byte[]> receive(long deadline) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            return null;
        }
        socket.setReceiveTimeOut((int) Math.max(1, remaining / 1_000_000));
        ZMsg message = ZMsg.recvMsg(socket);
        return message == null ? null : message.stream().map(ZFrame::getData).toList();
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
