package dev.jetway.gateway.proxy.migration;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ByteProcessor;
import java.util.Arrays;

/**
 * Cuts a relayed event stream ({@code text/event-stream}) into whole events. What it hands on to the client holds
 * only complete events: the bytes of an event not yet ended by its blank line are held back until the rest arrives,
 * so that if the model server dies in the middle of one, the client never saw a half event that a continuation from
 * another endpoint could not complete. A model server writes whole events per chunk, so in practice the buffer
 * passes through as it is (no copy) and nothing is held.
 *
 * <p>Each complete event's data (its {@code data:} lines, joined with a newline as the SSE specification says) goes
 * to the {@link DataSink}. Lines end in LF, CRLF or CR. Not thread-safe: one per stream, on its event loop.
 */
final class SseFramer implements ByteProcessor {

    /** The data of one event: {@code bytes[from, to)}, valid only during the call. */
    interface DataSink {
        void data(byte[] bytes, int from, int to);
    }

    /** An event held back beyond this many bytes is not an event stream a model server writes: the stream fails. */
    static final int MAX_EVENT_BYTES = 4 << 20;

    private byte[] held = new byte[0];
    private int heldLength;
    // line state over everything scanned so far (held bytes included)
    private boolean lineStart = true;
    private boolean afterCr;
    // the scan of one buffer (this is its ByteProcessor)
    private int scanned;
    private int lastEnd;
    private byte[] scratch = new byte[512];
    private final EventData data = new EventData();

    /**
     * The complete events of what was held plus {@code in}, as one buffer for the client (the caller owns it; it may
     * be {@code in} itself, retained once more), each event's data handed to {@code sink}; the rest is held. {@code in}
     * is left as it was (the caller still releases its reference).
     *
     * @throws IllegalStateException when one event grows past {@link #MAX_EVENT_BYTES}
     */
    ByteBuf frame(ByteBuf in, ByteBufAllocator alloc, DataSink sink) {
        int n = in.readableBytes();
        int end = lastEventEnd(in);
        if (end < 0) {
            hold(in, in.readerIndex(), n);
            return Unpooled.EMPTY_BUFFER;
        }
        ByteBuf out;
        if (heldLength == 0 && end == n) {
            out = in.retain(); // the same buffer, one more reference: nothing allocated on the usual path
        } else {
            out = alloc.buffer(heldLength + end);
            out.writeBytes(held, 0, heldLength);
            out.writeBytes(in, in.readerIndex(), end);
            heldLength = 0;
            hold(in, in.readerIndex() + end, n - end);
        }
        events(out, sink);
        return out;
    }

    /** Whatever is held (a last event the stream never ended with a blank line), for the end of a normal response. */
    ByteBuf flush(ByteBufAllocator alloc) {
        if (heldLength == 0) {
            return Unpooled.EMPTY_BUFFER;
        }
        ByteBuf out = alloc.buffer(heldLength);
        out.writeBytes(held, 0, heldLength);
        heldLength = 0;
        return out;
    }

    /** Forgets what is held (the leg that sent it died): the client never saw it. */
    void discard() {
        heldLength = 0;
        lineStart = true;
        afterCr = false;
    }

    /** Offset in {@code in} just after the last blank line it completes, or -1 when it completes none. */
    private int lastEventEnd(ByteBuf in) {
        int n = in.readableBytes();
        int last = in.writerIndex() - 1;
        if (heldLength == 0 && n >= 2 && in.getByte(last) == '\n' && in.getByte(last - 1) == '\n') {
            // the usual chunk: whole events, the last one ended by a blank line
            lineStart = true;
            afterCr = false;
            return n;
        }
        scanned = 0;
        lastEnd = -1;
        // a CRLF blank line cut between its CR and LF ends the event at the CR; the LF goes out with what follows
        in.forEachByte(in.readerIndex(), n, this);
        return lastEnd;
    }

    @Override
    public boolean process(byte b) {
        scanned++;
        if (b == '\n' && afterCr) {
            afterCr = false; // the LF of a CRLF: that line already ended
            if (lastEnd == scanned - 1) {
                lastEnd = scanned; // keep a CRLF blank line whole
            }
            return true;
        }
        afterCr = b == '\r';
        if (b == '\n' || b == '\r') {
            if (lineStart) {
                lastEnd = scanned; // an empty line: the event is complete
            }
            lineStart = true;
        } else {
            lineStart = false;
        }
        return true;
    }

    private void hold(ByteBuf in, int index, int length) {
        if (length == 0) {
            return;
        }
        if (heldLength + length > MAX_EVENT_BYTES) {
            throw new IllegalStateException("an event of the stream exceeds " + MAX_EVENT_BYTES + " bytes");
        }
        if (held.length < heldLength + length) {
            held = Arrays.copyOf(held, Math.max(heldLength + length, held.length * 2));
        }
        in.getBytes(index, held, heldLength, length);
        heldLength += length;
    }

    /** Hands the data of each event in {@code events} (whole events only) to the sink. */
    private void events(ByteBuf events, DataSink sink) {
        int n = events.readableBytes();
        byte[] bytes;
        int base;
        if (events.hasArray()) {
            bytes = events.array();
            base = events.arrayOffset() + events.readerIndex();
        } else {
            if (scratch.length < n) {
                scratch = new byte[Math.max(n, scratch.length * 2)];
            }
            events.getBytes(events.readerIndex(), scratch, 0, n);
            bytes = scratch;
            base = 0;
        }
        int i = base;
        int limit = base + n;
        while (i < limit) {
            int lineEnd = i;
            while (lineEnd < limit && bytes[lineEnd] != '\n' && bytes[lineEnd] != '\r') {
                lineEnd++;
            }
            if (lineEnd == i) {
                data.deliver(sink); // a blank line ends the event
            } else {
                data.line(bytes, i, lineEnd);
            }
            i = lineEnd;
            if (i < limit && bytes[i] == '\r') {
                i++;
                if (i < limit && bytes[i] == '\n') {
                    i++;
                }
            } else if (i < limit) {
                i++;
            }
        }
        data.deliver(sink);
    }

    /** The data lines of the event being read. */
    private static final class EventData {
        private byte[] bytes;
        private int from;
        private int to;
        private byte[] joined;
        private int joinedLength;
        private int lines;

        void line(byte[] b, int start, int end) {
            if (end - start < 5 || b[start] != 'd' || b[start + 1] != 'a' || b[start + 2] != 't' || b[start + 3] != 'a'
                    || b[start + 4] != ':') {
                return; // event:, id:, retry:, a comment: not data
            }
            int valueStart = start + 5;
            if (valueStart < end && b[valueStart] == ' ') {
                valueStart++;
            }
            if (lines == 0) {
                bytes = b;
                from = valueStart;
                to = end;
            } else {
                if (lines == 1) {
                    joined = Arrays.copyOfRange(bytes, from, to);
                    joinedLength = joined.length;
                }
                int more = end - valueStart + 1;
                if (joined.length < joinedLength + more) {
                    joined = Arrays.copyOf(joined, Math.max(joinedLength + more, joined.length * 2));
                }
                joined[joinedLength++] = '\n';
                System.arraycopy(b, valueStart, joined, joinedLength, end - valueStart);
                joinedLength += end - valueStart;
            }
            lines++;
        }

        void deliver(DataSink sink) {
            if (lines == 1) {
                sink.data(bytes, from, to);
            } else if (lines > 1) {
                sink.data(joined, 0, joinedLength);
            }
            lines = 0;
            bytes = null;
            joined = null;
        }
    }
}
