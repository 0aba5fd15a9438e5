package dev.jetway.gateway.proxy.migration;

import dev.jetway.kvcache.tokenize.Tokenizer;
import java.nio.charset.StandardCharsets;

/**
 * What the client of a streamed completion has been sent so far, read from the events as they go out: the chunks'
 * identity ({@code id}, {@code object}, {@code created}, {@code model} of the first one), the generated text, whether
 * the chat role chunk, a {@code finish_reason}, the usage or {@code [DONE]} went out, and anything that makes the
 * stream impossible to continue faithfully elsewhere (several choices, tool calls, reasoning, an error event).
 *
 * <p>Fed one event's data at a time ({@link SseFramer.DataSink}), on every stream that may migrate, so it is a small
 * hand-written scanner over the event's bytes rather than a JSON library: it walks the object once, reads the few
 * fields above, skips the rest without decoding it, allocates nothing but the text it keeps (and the identity
 * strings, once), and never throws: an event that is not a JSON object only marks the stream as not continuable.
 * Not thread-safe: one per stream, on its event loop.
 */
final class StreamTranscript implements SseFramer.DataSink {

    // where a field is, as far as the transcript cares
    private static final int ROOT = 0;
    private static final int CHOICE = 1;
    private static final int DELTA = 2;
    private static final int USAGE = 3;

    private static final byte[] DONE = ascii("[DONE]");
    private static final byte[] ID = ascii("id");
    private static final byte[] OBJECT = ascii("object");
    private static final byte[] CREATED = ascii("created");
    private static final byte[] MODEL = ascii("model");
    private static final byte[] CHOICES = ascii("choices");
    private static final byte[] USAGE_KEY = ascii("usage");
    private static final byte[] ERROR = ascii("error");
    private static final byte[] INDEX = ascii("index");
    private static final byte[] TEXT = ascii("text");
    private static final byte[] DELTA_KEY = ascii("delta");
    private static final byte[] FINISH_REASON = ascii("finish_reason");
    private static final byte[] ROLE = ascii("role");
    private static final byte[] CONTENT = ascii("content");
    private static final byte[] REASONING_CONTENT = ascii("reasoning_content");
    private static final byte[] REASONING = ascii("reasoning");
    private static final byte[] TOOL_CALLS = ascii("tool_calls");
    private static final byte[] FUNCTION_CALL = ascii("function_call");
    private static final byte[] COMPLETION_TOKENS = ascii("completion_tokens");

    /** Thrown (preallocated, no stack trace) when the event is not the JSON it should be. */
    private static final RuntimeException MALFORMED = new RuntimeException("malformed chunk", null, false, false) {
    };

    private String id;
    private String object;
    private long created = -1;
    private String model;
    private boolean roleSent;
    private final StringBuilder text = new StringBuilder();
    private int contentChunks;
    private long usageCompletionTokens = -1;
    private String finishReason;
    private boolean done;
    private String notContinuable;

    // the event being scanned
    private byte[] b;
    private int i;
    private int end;
    private boolean choiceContent;

    @Override
    public void data(byte[] bytes, int from, int to) {
        if (to - from == DONE.length && java.util.Arrays.equals(bytes, from, to, DONE, 0, DONE.length)) {
            done = true;
            return;
        }
        b = bytes;
        i = from;
        end = to;
        try {
            space();
            object(ROOT);
            space();
            if (i != end) {
                throw MALFORMED;
            }
        } catch (RuntimeException e) {
            // not JSON the client could use either (an ArrayIndexOutOfBounds is a truncated event): nothing to
            // continue from
            notContinuable("an event that is not a JSON chunk");
        } finally {
            b = null;
        }
    }

    // ---- the scanner ----------------------------------------------------------------------------------------

    private void object(int where) {
        expect('{');
        space();
        if (peek() == '}') {
            i++;
            return;
        }
        while (true) {
            expect('"');
            int keyStart = i;
            skipStringBody();
            int keyEnd = i - 1;
            space();
            expect(':');
            space();
            field(where, keyStart, keyEnd);
            space();
            byte c = next();
            if (c == '}') {
                return;
            }
            if (c != ',') {
                throw MALFORMED;
            }
            space();
        }
    }

    private void field(int where, int k, int ke) {
        switch (where) {
            case ROOT -> {
                // the identity is the first chunk's: later ones are skipped, not decoded again
                if (id == null && is(k, ke, ID)) {
                    id = stringOrSkip();
                } else if (object == null && is(k, ke, OBJECT)) {
                    object = stringOrSkip();
                } else if (created < 0 && is(k, ke, CREATED)) {
                    created = integerOrSkip();
                } else if (model == null && is(k, ke, MODEL)) {
                    model = stringOrSkip();
                } else if (is(k, ke, CHOICES) && peek() == '[') {
                    choices();
                } else if (is(k, ke, USAGE_KEY) && peek() == '{') {
                    object(USAGE);
                } else if (is(k, ke, ERROR) && !isNull()) {
                    notContinuable("the model server sent an error event");
                    skipValue();
                } else {
                    skipValue();
                }
            }
            case CHOICE -> {
                if (is(k, ke, INDEX)) {
                    if (integerOrSkip() > 0) {
                        notContinuable("several choices (n > 1)");
                    }
                } else if (is(k, ke, TEXT)) {
                    choiceContent |= appendText();
                } else if (is(k, ke, DELTA_KEY) && peek() == '{') {
                    object(DELTA);
                } else if (is(k, ke, FINISH_REASON) && peek() == '"') {
                    finishReason = stringOrSkip();
                } else {
                    skipValue();
                }
            }
            case DELTA -> {
                if (is(k, ke, CONTENT)) {
                    choiceContent |= appendText();
                } else if (is(k, ke, ROLE)) {
                    roleSent |= peek() == '"';
                    skipValue();
                } else if (is(k, ke, REASONING_CONTENT) || is(k, ke, REASONING)) {
                    if (peek() == '"' && b[i + 1] != '"') {
                        notContinuable("reasoning in flight");
                    }
                    skipValue();
                } else if (is(k, ke, TOOL_CALLS)) {
                    if (peek() == '[' && afterSpace(i + 1) != ']') {
                        notContinuable("tool calls in flight");
                    }
                    skipValue();
                } else if (is(k, ke, FUNCTION_CALL)) {
                    if (!isNull()) {
                        notContinuable("tool calls in flight");
                    }
                    skipValue();
                } else {
                    skipValue();
                }
            }
            default -> {
                if (is(k, ke, COMPLETION_TOKENS)) {
                    long v = integerOrSkip();
                    if (v >= 0) {
                        usageCompletionTokens = v;
                    }
                } else {
                    skipValue();
                }
            }
        }
    }

    private void choices() {
        expect('[');
        space();
        if (peek() == ']') {
            i++;
            return;
        }
        while (true) {
            if (peek() == '{') {
                choiceContent = false;
                object(CHOICE);
                if (choiceContent) {
                    contentChunks++;
                }
            } else {
                skipValue();
            }
            space();
            byte c = next();
            if (c == ']') {
                return;
            }
            if (c != ',') {
                throw MALFORMED;
            }
            space();
        }
    }

    /** Appends a string value to the text (a non-string is skipped); true when it was not empty. */
    private boolean appendText() {
        if (peek() != '"') {
            skipValue();
            return false;
        }
        i++;
        int start = i;
        boolean ascii = true;
        while (true) {
            if (i >= end) {
                throw MALFORMED;
            }
            byte c = b[i];
            if (c == '"') {
                break;
            }
            if (c == '\\' || c < 0) {
                ascii = false;
                if (c == '\\') {
                    i++;
                }
            }
            i++;
        }
        int stop = i;
        i++;
        if (stop == start) {
            return false;
        }
        if (ascii) {
            for (int j = start; j < stop; j++) {
                text.append((char) b[j]);
            }
        } else {
            text.append(decode(start, stop));
        }
        return true;
    }

    /** A JSON string's content (between its quotes) decoded: escapes and UTF-8. */
    private String decode(int start, int stop) {
        String raw = new String(b, start, stop - start, StandardCharsets.UTF_8);
        if (raw.indexOf('\\') < 0) {
            return raw;
        }
        StringBuilder out = new StringBuilder(raw.length());
        for (int j = 0; j < raw.length(); j++) {
            char c = raw.charAt(j);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = raw.charAt(++j);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    out.append((char) Integer.parseInt(raw, j + 1, j + 5, 16));
                    j += 4;
                }
                default -> out.append(e); // \" \\ \/
            }
        }
        return out.toString();
    }

    /** A string value decoded, or null (after skipping) for anything else. */
    private String stringOrSkip() {
        if (peek() != '"') {
            skipValue();
            return null;
        }
        i++;
        int start = i;
        skipStringBody();
        return decode(start, i - 1);
    }

    /** A non-negative integer value, or -1 (after skipping) for anything else. */
    private long integerOrSkip() {
        int start = i;
        long v = 0;
        while (i < end && b[i] >= '0' && b[i] <= '9') {
            v = Math.min(Long.MAX_VALUE / 10 - 10, v) * 10 + (b[i++] - '0');
        }
        if (i == start || (i < end && (b[i] == '.' || b[i] == 'e' || b[i] == 'E'))) {
            i = start;
            skipValue();
            return -1;
        }
        return v;
    }

    private boolean isNull() {
        return end - i >= 4 && b[i] == 'n' && b[i + 1] == 'u' && b[i + 2] == 'l' && b[i + 3] == 'l';
    }

    private void skipValue() {
        byte c = peek();
        if (c == '"') {
            i++;
            skipStringBody();
        } else if (c == '{' || c == '[') {
            int depth = 0;
            do {
                c = next();
                if (c == '"') {
                    skipStringBody();
                } else if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    depth--;
                }
            } while (depth > 0);
        } else {
            int start = i;
            while (i < end && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] > ' ') {
                i++;
            }
            if (i == start) {
                throw MALFORMED;
            }
        }
    }

    /** From just after an opening quote to just after the closing one. */
    private void skipStringBody() {
        while (true) {
            byte c = next();
            if (c == '"') {
                return;
            }
            if (c == '\\') {
                i++;
            }
        }
    }

    private boolean is(int k, int ke, byte[] key) {
        return ke - k == key.length && java.util.Arrays.equals(b, k, ke, key, 0, key.length);
    }

    private byte afterSpace(int at) {
        while (at < end && (b[at] == ' ' || b[at] == '\n' || b[at] == '\r' || b[at] == '\t')) {
            at++;
        }
        return at < end ? b[at] : 0;
    }

    private void space() {
        while (i < end && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
    }

    private byte peek() {
        if (i >= end) {
            throw MALFORMED;
        }
        return b[i];
    }

    private byte next() {
        if (i >= end) {
            throw MALFORMED;
        }
        return b[i++];
    }

    private void expect(char c) {
        if (next() != c) {
            throw MALFORMED;
        }
    }

    private void notContinuable(String reason) {
        if (notContinuable == null) {
            notContinuable = reason;
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Output tokens the client has been sent: the stream's own count when a chunk carried usage (exact); else the
     * text counted by {@code tokenizer} (exact when it is the model's, as {@code jetway-simple-v1} is the
     * simulator's); else one per chunk that carried text (vLLM's one token per chunk; it undercounts when chunks
     * merge several tokens).
     */
    int tokensSent(Tokenizer tokenizer) {
        if (usageCompletionTokens >= 0) {
            return (int) Math.min(Integer.MAX_VALUE, usageCompletionTokens);
        }
        if (tokenizer != null && !text.isEmpty()) {
            return tokenizer.count(text.toString());
        }
        return contentChunks;
    }

    String id() {
        return id;
    }

    String object() {
        return object;
    }

    /** The first chunk's {@code created}, or -1. */
    long created() {
        return created;
    }

    String model() {
        return model;
    }

    boolean roleSent() {
        return roleSent;
    }

    String text() {
        return text.toString();
    }

    boolean hasText() {
        return !text.isEmpty();
    }

    /** The {@code finish_reason} sent, or null while the choice is still generating. */
    String finishReason() {
        return finishReason;
    }

    boolean usageSent() {
        return usageCompletionTokens >= 0;
    }

    boolean done() {
        return done;
    }

    /** Why the stream cannot be continued elsewhere, or null. */
    String notContinuable() {
        return notContinuable;
    }
}
