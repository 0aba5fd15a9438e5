package dev.jetway.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * How many tokens a response generated, read from the bytes the gateway relays as they pass (never changed, never
 * copied, nothing buffered): the latency model learns TPOT, and a non-streamed response's whole time, from it. The
 * one place the gateway reads response bodies.
 *
 * <ul>
 *   <li><b>Non-streamed</b> (JSON): the top-level {@code usage.completion_tokens}; unknown without it.</li>
 *   <li><b>Streamed</b> (SSE): the {@code choices} that carry generated content, one per chunk (vLLM sends one
 *       token per chunk by default): a non-empty {@code text} (completions) or {@code delta.content},
 *       {@code delta.reasoning_content}, {@code delta.reasoning} or a non-empty {@code delta.tool_calls} (chat).
 *       Role-only and empty chunks, the final chunk that only carries {@code finish_reason}, {@code data: [DONE]},
 *       comments and other fields do not count. When an event carries a top-level {@code usage} object with
 *       {@code completion_tokens} (vLLM's last chunk with {@code stream_options.include_usage}, or every chunk with
 *       {@code continuous_usage_stats}), the last such value wins: it is exact where chunks are not.</li>
 * </ul>
 *
 * <p>A small incremental JSON lexer keeps only its state between chunks (depth, the container kinds on the path,
 * the key being read, up to 24 bytes of it), so a chunk boundary may fall anywhere, even inside a key, a number or
 * an escape. Malformed input never throws: a malformed SSE event is skipped to its end, a malformed JSON body makes
 * the count unknown unless its usage was already read. The usage's {@code prompt_tokens} and
 * {@code prompt_tokens_details.cached_tokens} are kept too, for the audit record. One instance per response; not thread-safe (the exchange's
 * event loop is its only user).
 */
public final class OutputTokenCounter implements ByteProcessor {

    // what a container on the path is, as far as counting cares
    private static final byte OTHER = 0;
    private static final byte ROOT = 1;
    private static final byte USAGE = 2;
    private static final byte CHOICES = 3;
    private static final byte CHOICE = 4;
    private static final byte DELTA = 5;
    private static final byte TOOL_CALLS = 6;
    private static final byte PROMPT_DETAILS = 7;

    // keys that matter (index into KEYS)
    private static final int K_NONE = 0;
    private static final int K_USAGE = 1;
    private static final int K_COMPLETION_TOKENS = 2;
    private static final int K_CHOICES = 3;
    private static final int K_TEXT = 4;
    private static final int K_DELTA = 5;
    private static final int K_CONTENT = 6;
    private static final int K_REASONING_CONTENT = 7;
    private static final int K_REASONING = 8;
    private static final int K_TOOL_CALLS = 9;
    private static final int K_PROMPT_TOKENS = 10;
    private static final int K_PROMPT_TOKENS_DETAILS = 11;
    private static final int K_CACHED_TOKENS = 12;
    private static final byte[][] KEYS = {null, ascii("usage"), ascii("completion_tokens"), ascii("choices"),
            ascii("text"), ascii("delta"), ascii("content"), ascii("reasoning_content"), ascii("reasoning"),
            ascii("tool_calls"), ascii("prompt_tokens"), ascii("prompt_tokens_details"), ascii("cached_tokens")};

    // which usage figure a number is
    private static final int N_NONE = 0;
    private static final int N_COMPLETION = 1;
    private static final int N_PROMPT = 2;
    private static final int N_CACHED = 3;

    // lexer states
    private static final int STRUCTURE = 0;
    private static final int STRING = 1;
    private static final int ESCAPE = 2;
    private static final int NUMBER = 3;
    private static final int LITERAL = 4;
    private static final int SKIP = 5;

    // SSE line states
    private static final int LINE_START = 0;
    private static final int PREFIX = 1;
    private static final int DATA_START = 2;
    private static final int DATA_LINE = 3;
    private static final int IGNORED_LINE = 4;
    private static final byte[] DATA = ascii("data:");

    private static final int MAX_DEPTH = 64;

    private final boolean sse;

    // JSON lexer
    private int state = STRUCTURE;
    private int depth;
    private final byte[] tags = new byte[MAX_DEPTH];
    /** Bit d set: the container at depth d is an object. */
    private long objects;
    private boolean expectKey;
    private int key = K_NONE;
    private boolean stringIsKey;
    private boolean stringIsContent;
    private final byte[] keyBytes = new byte[24];
    private int keyLength;
    private int numberTarget;
    private boolean numberInvalid;
    private long number;
    private boolean choiceHasContent;

    // SSE framing
    private int line = LINE_START;
    private int prefixPosition;
    private boolean afterCr;

    // what was found
    private long usageTokens = -1;
    private long usagePromptTokens = -1;
    private long usageCachedTokens = -1;
    private int contentChoices;
    private boolean sawObject;

    private OutputTokenCounter(boolean sse) {
        this.sse = sse;
    }

    /** For a {@code text/event-stream} response. */
    public static OutputTokenCounter forEventStream() {
        return new OutputTokenCounter(true);
    }

    /** For a complete JSON body. */
    public static OutputTokenCounter forJsonBody() {
        return new OutputTokenCounter(false);
    }

    /** Reads the buffer's readable bytes; its indexes and content are left as they are. */
    public void scan(ByteBuf buf) {
        int n = buf.readableBytes();
        if (n == 0) {
            return;
        }
        if (buf.hasArray()) {
            scan(buf.array(), buf.arrayOffset() + buf.readerIndex(), n);
        } else if (buf.nioBufferCount() == 1) {
            ByteBuffer view = buf.nioBuffer(buf.readerIndex(), n); // a view, not a copy
            scan(view, view.position(), view.limit());
        } else {
            buf.forEachByte(buf.readerIndex(), n, this); // a composite buffer
        }
    }

    public void scan(byte[] bytes, int offset, int length) {
        scan(ByteBuffer.wrap(bytes), offset, offset + length);
    }

    private void scan(ByteBuffer bytes, int from, int to) {
        int i = from;
        while (i < to) {
            if (state == STRING && !stringIsContent && (!sse || line == DATA_LINE)) {
                // inside a key, or a string nobody asked about (ids, text already known to be content): only a
                // quote, a backslash, or in an event stream a line end, needs the state machine
                while (i < to) {
                    byte b = bytes.get(i);
                    if (b == '"' || b == '\\' || b == '\n' || b == '\r') {
                        break;
                    }
                    if (stringIsKey) {
                        keyByte(b);
                    }
                    i++;
                }
                if (i == to) {
                    return;
                }
            }
            process(bytes.get(i++));
        }
    }

    /**
     * Generated tokens as read so far: {@code usage.completion_tokens} if seen; else, for a stream, the content
     * chunks counted; else -1 (unknown: a JSON body without usage, or a stream without one complete JSON event).
     */
    public int outputTokens() {
        if (usageTokens >= 0) {
            return (int) usageTokens;
        }
        return sse && sawObject ? contentChoices : -1;
    }

    /** The last {@code usage.prompt_tokens} read (the model server's own count of the prompt), or -1. */
    public long usagePromptTokens() {
        return usagePromptTokens;
    }

    /** The last {@code usage.prompt_tokens_details.cached_tokens} read, or -1. */
    public long usageCachedTokens() {
        return usageCachedTokens;
    }

    /** Choices that carried generated content (streams), whatever the usage said. */
    public int contentChunks() {
        return contentChoices;
    }

    /** The last {@code usage.completion_tokens} read, or -1. */
    public long usageCompletionTokens() {
        return usageTokens;
    }

    @Override
    public boolean process(byte b) {
        if (sse) {
            eventStreamByte(b);
        } else {
            jsonByte(b);
        }
        return true;
    }

    private void eventStreamByte(byte b) {
        if (b == '\n' || b == '\r') {
            if (b == '\n' && afterCr) {
                afterCr = false; // the \n of a \r\n
                return;
            }
            afterCr = b == '\r';
            endLine();
            return;
        }
        afterCr = false;
        switch (line) {
            case LINE_START -> {
                if (b == DATA[0]) {
                    line = PREFIX;
                    prefixPosition = 1;
                } else {
                    line = IGNORED_LINE; // event:, id:, retry:, a ":" comment
                }
            }
            case PREFIX -> {
                if (b != DATA[prefixPosition]) {
                    line = IGNORED_LINE;
                } else if (++prefixPosition == DATA.length) {
                    line = DATA_START;
                }
            }
            case DATA_START -> {
                line = DATA_LINE;
                if (b != ' ') { // one space after the colon belongs to the field syntax
                    jsonByte(b);
                }
            }
            case DATA_LINE -> jsonByte(b);
            default -> {
            }
        }
    }

    private void endLine() {
        if (line == LINE_START) {
            resetJson(); // a blank line ends the event: the next one is a new JSON document
        } else if (line == DATA_LINE || line == DATA_START) {
            jsonByte((byte) '\n'); // an event's data lines join with a newline
        }
        line = LINE_START;
    }

    private void resetJson() {
        state = STRUCTURE;
        depth = 0;
        objects = 0;
        expectKey = false;
        key = K_NONE;
        stringIsKey = false;
        stringIsContent = false;
        numberTarget = N_NONE;
        choiceHasContent = false;
    }

    private void jsonByte(byte b) {
        switch (state) {
            case STRING -> {
                if (b == '"') {
                    endString();
                } else {
                    if (b == '\\') {
                        state = ESCAPE;
                    }
                    stringByte(b);
                }
                return;
            }
            case ESCAPE -> {
                state = STRING; // the escaped byte, whatever it is, cannot end the string
                stringByte(b);
                return;
            }
            case NUMBER -> {
                if (b >= '0' && b <= '9') {
                    if (numberTarget != N_NONE && !numberInvalid) {
                        number = Math.min(Integer.MAX_VALUE, number * 10 + (b - '0'));
                    }
                    return;
                }
                if (b == '.' || b == 'e' || b == 'E' || b == '+' || b == '-') {
                    numberInvalid = true; // not a token count
                    return;
                }
                endNumber();
            }
            case LITERAL -> {
                if (b >= 'a' && b <= 'z') {
                    return;
                }
                state = STRUCTURE;
            }
            case SKIP -> {
                return;
            }
            default -> {
            }
        }
        structure(b);
    }

    private void structure(byte b) {
        switch (b) {
            case ' ', '\t', '\n', '\r', ':' -> {
            }
            case '{' -> open(true);
            case '[' -> open(false);
            case '}' -> close(true);
            case ']' -> close(false);
            case ',' -> {
                if (depth > 0 && inObject()) {
                    expectKey = true;
                }
                key = K_NONE;
            }
            case '"' -> startString();
            default -> {
                if (depth == 0) {
                    malformed(); // e.g. data: [DONE] reaches here at '[' already; anything but an object
                } else if (b == '-' || (b >= '0' && b <= '9')) {
                    startNumber(b);
                } else if (b >= 'a' && b <= 'z') {
                    state = LITERAL; // true, false, null
                } else {
                    malformed();
                }
            }
        }
    }

    private boolean inObject() {
        return (objects & (1L << (depth - 1))) != 0;
    }

    private byte parentTag() {
        return tags[depth - 1];
    }

    private void open(boolean object) {
        byte tag;
        if (depth == 0) {
            if (!object) {
                malformed();
                return;
            }
            tag = ROOT;
        } else if (depth == MAX_DEPTH) {
            malformed();
            return;
        } else {
            tag = childTag(object);
        }
        tags[depth] = tag;
        if (object) {
            objects |= 1L << depth;
        } else {
            objects &= ~(1L << depth);
        }
        depth++;
        expectKey = object;
        key = K_NONE;
        if (tag == CHOICE) {
            choiceHasContent = false;
        }
    }

    private byte childTag(boolean object) {
        byte parent = parentTag();
        if (parent == TOOL_CALLS) {
            choiceHasContent = true; // a tool-call delta is generated content
            return OTHER;
        }
        if (object) {
            if (parent == ROOT && key == K_USAGE) {
                return USAGE;
            }
            if (parent == USAGE && key == K_PROMPT_TOKENS_DETAILS) {
                return PROMPT_DETAILS;
            }
            if (parent == CHOICES) {
                return CHOICE;
            }
            if (parent == CHOICE && key == K_DELTA) {
                return DELTA;
            }
        } else {
            if (parent == ROOT && key == K_CHOICES) {
                return CHOICES;
            }
            if (parent == DELTA && key == K_TOOL_CALLS) {
                return TOOL_CALLS;
            }
        }
        return OTHER;
    }

    private void close(boolean object) {
        if (depth == 0 || inObject() != object) {
            malformed();
            return;
        }
        depth--;
        byte tag = tags[depth];
        if (tag == CHOICE && choiceHasContent) {
            contentChoices++;
            choiceHasContent = false;
        } else if (tag == ROOT) {
            sawObject = true;
        }
        expectKey = false;
        key = K_NONE;
    }

    private void startString() {
        state = STRING;
        if (depth > 0 && expectKey && inObject()) {
            stringIsKey = true;
            keyLength = 0;
            return;
        }
        stringIsKey = false;
        if (depth > 0) {
            byte parent = parentTag();
            stringIsContent = (parent == CHOICE && key == K_TEXT) || (parent == DELTA
                    && (key == K_CONTENT || key == K_REASONING_CONTENT || key == K_REASONING));
        }
    }

    private void stringByte(byte b) {
        if (stringIsKey) {
            keyByte(b);
        } else if (stringIsContent) {
            choiceHasContent = true;
            stringIsContent = false;
        }
    }

    private void keyByte(byte b) {
        if (keyLength < keyBytes.length) {
            keyBytes[keyLength] = b;
        }
        keyLength++;
    }

    private void endString() {
        state = STRUCTURE;
        if (stringIsKey) {
            stringIsKey = false;
            expectKey = false;
            key = matchKey();
        }
        stringIsContent = false;
    }

    private int matchKey() {
        if (keyLength > keyBytes.length) {
            return K_NONE;
        }
        for (int k = 1; k < KEYS.length; k++) {
            byte[] candidate = KEYS[k];
            if (candidate.length == keyLength && java.util.Arrays.equals(candidate, 0, keyLength, keyBytes, 0,
                    keyLength)) {
                return k;
            }
        }
        return K_NONE;
    }

    private void startNumber(byte b) {
        state = NUMBER;
        byte parent = parentTag();
        if (parent == USAGE) {
            numberTarget = key == K_COMPLETION_TOKENS ? N_COMPLETION : key == K_PROMPT_TOKENS ? N_PROMPT : N_NONE;
        } else {
            numberTarget = parent == PROMPT_DETAILS && key == K_CACHED_TOKENS ? N_CACHED : N_NONE;
        }
        numberInvalid = b == '-';
        number = b == '-' ? 0 : b - '0';
    }

    private void endNumber() {
        state = STRUCTURE;
        if (!numberInvalid) {
            switch (numberTarget) {
                case N_COMPLETION -> usageTokens = number;
                case N_PROMPT -> usagePromptTokens = number;
                case N_CACHED -> usageCachedTokens = number;
                default -> {
                }
            }
        }
        numberTarget = N_NONE;
    }

    private void malformed() {
        state = SKIP; // an SSE event resumes at its end; a JSON body stays unknown from here
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
