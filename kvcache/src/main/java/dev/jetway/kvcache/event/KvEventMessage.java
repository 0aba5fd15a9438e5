package dev.jetway.kvcache.event;

import java.nio.charset.StandardCharsets;

/**
 * One ZMQ message of vLLM's KV-event stream: three frames, {@code [topic utf-8, seq 8-byte big-endian, payload]}.
 * The payload stays encoded here; {@link #batch()} decodes it.
 *
 * @param topic   where the events come from
 * @param seq     the publisher's sequence number (unsigned, consecutive per publisher; restarts at 0)
 * @param payload msgpack {@code EventBatch}
 */
public record KvEventMessage(KvTopic topic, long seq, byte[] payload) {

    /** Sequence of the replay stream's end marker (sent with an empty topic and payload). */
    public static final long REPLAY_END_SEQ = -1L;

    public static KvEventMessage of(KvTopic topic, long seq, KvEventBatch batch) {
        return new KvEventMessage(topic, seq, KvEventEncoder.encode(batch));
    }

    /** Reads the three frames of a received message. */
    public static KvEventMessage fromFrames(byte[] topicFrame, byte[] seqFrame, byte[] payloadFrame) {
        if (topicFrame == null || seqFrame == null || payloadFrame == null) {
            throw new MalformedKvEventException("KV-event message needs 3 frames [topic, seq, payload]");
        }
        return new KvEventMessage(KvTopic.parse(new String(topicFrame, StandardCharsets.UTF_8)),
                decodeSeq(seqFrame), payloadFrame);
    }

    /** Whether three frames are the replay end marker ({@code ("", 0xFFFFFFFFFFFFFFFF, "")}). */
    public static boolean isReplayEnd(byte[] topicFrame, byte[] seqFrame) {
        return topicFrame != null && topicFrame.length == 0 && seqFrame != null && seqFrame.length == 8
                && decodeSeq(seqFrame) == REPLAY_END_SEQ;
    }

    public static long decodeSeq(byte[] seqFrame) {
        if (seqFrame.length != 8) {
            throw new MalformedKvEventException("KV-event sequence frame must be 8 bytes, got " + seqFrame.length);
        }
        long seq = 0;
        for (byte b : seqFrame) {
            seq = (seq << 8) | (b & 0xff);
        }
        return seq;
    }

    public static byte[] encodeSeq(long seq) {
        byte[] frame = new byte[8];
        for (int i = 0; i < 8; i++) {
            frame[i] = (byte) (seq >>> (56 - 8 * i));
        }
        return frame;
    }

    public byte[] topicFrame() {
        return topic.toString().getBytes(StandardCharsets.UTF_8);
    }

    public byte[] seqFrame() {
        return encodeSeq(seq);
    }

    /** The frames in wire order, ready for a ZMQ multipart send. */
    public byte[][] frames() {
        return new byte[][] {topicFrame(), seqFrame(), payload};
    }

    public KvEventBatch batch() {
        return KvEventDecoder.decode(payload);
    }
}
