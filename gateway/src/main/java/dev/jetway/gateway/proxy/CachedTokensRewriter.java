package dev.jetway.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Replaces the value of every {@code "cached_tokens"} field in a relayed JSON body or event stream, as llm-d's P/D
 * sidecar does on a split request's decode leg: the client is told how much of its prompt the prefill endpoint found
 * cached, not the decode endpoint's figure (which counts the KV it received as cached).
 *
 * <p>Streaming: state carries over from one chunk to the next, so a field split across chunks is still found. Key
 * bytes pass through as they are; only the value (digits, or {@code null}) is dropped and the new value written in
 * its place. Inside a JSON string a quote is escaped, so the key cannot be matched in generated text.
 */
public final class CachedTokensRewriter {

    private static final byte[] KEY = "\"cached_tokens\"".getBytes(StandardCharsets.US_ASCII);

    private enum State { KEY, BEFORE_COLON, BEFORE_VALUE, VALUE }

    private final byte[] replacement;
    private State state = State.KEY;
    private int matched;

    public CachedTokensRewriter(long cachedTokens) {
        this.replacement = Long.toString(cachedTokens).getBytes(StandardCharsets.US_ASCII);
    }

    /** The rewritten bytes of {@code in} (which is released), in a new buffer. */
    public ByteBuf rewrite(ByteBuf in, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(in.readableBytes() + replacement.length);
        try {
            int end = in.writerIndex();
            for (int i = in.readerIndex(); i < end; i++) {
                byte b = in.getByte(i);
                switch (state) {
                    case KEY -> {
                        out.writeByte(b);
                        if (b == KEY[matched]) {
                            if (++matched == KEY.length) {
                                state = State.BEFORE_COLON;
                                matched = 0;
                            }
                        } else {
                            matched = b == KEY[0] ? 1 : 0;
                        }
                    }
                    case BEFORE_COLON -> {
                        out.writeByte(b);
                        if (b == ':') {
                            state = State.BEFORE_VALUE;
                        } else if (!whitespace(b)) {
                            state = State.KEY; // "cached_tokens" was a value, not a key
                        }
                    }
                    case BEFORE_VALUE -> {
                        if (whitespace(b)) {
                            out.writeByte(b);
                        } else if (valueByte(b)) {
                            out.writeBytes(replacement);
                            state = State.VALUE;
                        } else {
                            out.writeByte(b); // an object or a string: not a count, left alone
                            state = State.KEY;
                        }
                    }
                    case VALUE -> {
                        if (!valueByte(b)) {
                            out.writeByte(b);
                            state = State.KEY;
                            matched = b == KEY[0] ? 1 : 0;
                        }
                    }
                }
            }
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        } finally {
            in.release();
        }
    }

    private static boolean whitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    /** A digit, a sign, or a letter of {@code null}. */
    private static boolean valueByte(byte b) {
        return (b >= '0' && b <= '9') || b == '-' || b == 'n' || b == 'u' || b == 'l';
    }
}
