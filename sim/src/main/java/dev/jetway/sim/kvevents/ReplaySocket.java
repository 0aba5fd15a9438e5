package dev.jetway.sim.kvevents;

import dev.jetway.kvcache.event.KvEventMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZFrame;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;

/**
 * vLLM's KV-event replay service: a ROUTER socket that answers {@code [identity, "", start_seq]} with every buffered
 * message whose sequence is at least {@code start_seq} ({@code [identity, "", seq, payload]} each), then the end
 * marker {@code [identity, "", 0xFF×8, ""]}. Requests of any other frame count are logged and ignored, as in vLLM.
 *
 * <p>The socket has a thread of its own that blocks on it, so a request is answered as soon as it arrives and an idle
 * replica does not wake up to look for requests; the publisher's thread only {@link #record}s what it sends.
 */
final class ReplaySocket implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplaySocket.class);
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] END_SEQ = KvEventMessage.encodeSeq(KvEventMessage.REPLAY_END_SEQ);

    /** How long a receive waits, so that {@link #close()} is noticed promptly. */
    private static final int RECEIVE_TIMEOUT_MILLIS = 100;

    private final ZMQ.Socket socket;
    private final ReplayBuffer buffer;
    private final String boundEndpoint;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * Binds at once and starts answering; the caller closes {@code context} on failure, and {@link #close()}s this
     * before closing {@code context} at the end.
     */
    ReplaySocket(ZContext context, String bindEndpoint, int bufferSteps) {
        this.buffer = new ReplayBuffer(bufferSteps);
        this.socket = context.createSocket(SocketType.ROUTER);
        socket.setLinger(0);
        socket.setReceiveTimeOut(RECEIVE_TIMEOUT_MILLIS);
        // A ROUTER drops (never blocks) at the high-water mark: leave room for one whole replay plus its end marker.
        socket.setSndHWM(bufferSteps + 1);
        socket.bind(bindEndpoint);
        this.boundEndpoint = socket.getLastEndpoint();
        this.thread = Thread.ofPlatform().daemon(true)
                .name("sim-kv-replay-" + boundEndpoint.substring(boundEndpoint.lastIndexOf(':') + 1))
                .start(this::serve);
    }

    String boundEndpoint() {
        return boundEndpoint;
    }

    /** Keeps a published message for replay; called by the publisher's thread. */
    void record(long seq, byte[] payload) {
        buffer.add(seq, payload);
    }

    private void serve() {
        try {
            while (!closed) {
                List<byte[]> frames = receive();
                if (frames != null) {
                    answer(frames);
                }
            }
        } catch (RuntimeException e) {
            if (!closed) {
                log.error("KV-event replay on {} stopped", boundEndpoint, e);
            }
        } finally {
            socket.close();
        }
    }

    /** The next request's frames, or null when none came within the receive timeout. */
    private List<byte[]> receive() {
        ZMsg message = ZMsg.recvMsg(socket);
        return message == null ? null : message.stream().map(ZFrame::getData).toList();
    }

    private void answer(List<byte[]> frames) {
        if (frames.size() != 3) {
            log.warn("ignoring KV-event replay request on {} with {} frames (expected [identity, \"\", start_seq])",
                    boundEndpoint, frames.size());
            return;
        }
        byte[] client = frames.getFirst();
        // Unsigned big-endian of any length, like vLLM's int.from_bytes(start_seq, "big"); a start beyond 64 bits
        // matches nothing, so the client still gets the end marker.
        BigInteger start = new BigInteger(1, frames.get(2));
        if (start.bitLength() <= 64) {
            for (ReplayBuffer.Entry entry : buffer.from(start.longValue())) {
                send(client, KvEventMessage.encodeSeq(entry.seq()), entry.payload());
            }
        }
        send(client, END_SEQ, EMPTY);
        if (log.isDebugEnabled()) {
            log.debug("KV-event replay on {} from seq {} for client {}", boundEndpoint, start,
                    HexFormat.of().formatHex(client));
        }
    }

    private void send(byte[] client, byte[] seq, byte[] payload) {
        socket.sendMore(client);
        socket.sendMore(EMPTY);
        socket.sendMore(seq);
        socket.send(payload, ZMQ.DONTWAIT);
    }

    /** Stops answering and closes the socket; waits for the thread, so the caller may close the context after. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
