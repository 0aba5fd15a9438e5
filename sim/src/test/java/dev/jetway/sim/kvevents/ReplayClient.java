package dev.jetway.sim.kvevents;

import dev.jetway.kvcache.event.KvEventMessage;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.util.ArrayList;
import java.util.List;

/** A DEALER speaking vLLM's replay protocol, as a gateway filling a sequence gap would. */
public final class ReplayClient implements AutoCloseable {

    /** One replayed message as the DEALER receives it: {@code ["", seq, payload]}. */
    public record Replayed(long seq, byte[] payload) {
    }

    private final ZContext context = new ZContext(1);
    private final ZMQ.Socket dealer;

    public ReplayClient(String endpoint) {
        dealer = context.createSocket(SocketType.DEALER);
        dealer.setLinger(0);
        dealer.setReceiveTimeOut(5_000);
        // JeroMQ 0.6.0 connects now and then stall until the handshake timer fires (see docs/simulator.md).
        dealer.setHandshakeIvl(2_000);
        dealer.connect(endpoint);
    }

    /** Sends {@code ["", start_seq]} and reads replies up to the end marker; fails if the reply stops early. */
    public List<Replayed> replayFrom(long startSeq) {
        dealer.sendMore(new byte[0]);
        dealer.send(KvEventMessage.encodeSeq(startSeq));
        return readReply();
    }

    /** Sends raw frames (after the DEALER's identity, which the ROUTER adds). */
    public void sendRaw(byte[]... frames) {
        for (int i = 0; i < frames.length - 1; i++) {
            dealer.sendMore(frames[i]);
        }
        dealer.send(frames[frames.length - 1]);
    }

    /** Reads one reply: messages until the end marker {@code ["", 0xFF×8, ""]}. */
    public List<Replayed> readReply() {
        List<Replayed> replayed = new ArrayList<>();
        while (true) {
            byte[] delimiter = receive();
            if (delimiter.length != 0) {
                throw new AssertionError("reply must start with an empty delimiter, got " + delimiter.length
                        + " bytes");
            }
            byte[] seq = receive();
            byte[] payload = receive();
            if (dealer.hasReceiveMore()) {
                throw new AssertionError("reply message has more than [\"\", seq, payload]");
            }
            long seqNumber = KvEventMessage.decodeSeq(seq);
            if (seqNumber == KvEventMessage.REPLAY_END_SEQ) {
                if (payload.length != 0) {
                    throw new AssertionError("end marker must have an empty payload");
                }
                return replayed;
            }
            replayed.add(new Replayed(seqNumber, payload));
        }
    }

    private byte[] receive() {
        byte[] frame = dealer.recv();
        if (frame == null) {
            throw new AssertionError("no reply frame within the receive timeout");
        }
        return frame;
    }

    @Override
    public void close() {
        context.close();
    }
}
