package dev.jetway.kvcache.tokenize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * llm-d's {@code estimate} token backend: the prompt's UTF-8 bytes packed four at a time (little-endian) into one
 * pseudo-token each, the last one zero-padded. Ids do not match any engine's; equal text prefixes still give equal
 * pseudo-token prefixes (at 4-byte granularity), which is all routing-history prefix matching needs, and the count
 * approximates real tokens (~4 bytes per token for English).
 */
public final class ByteEstimateTokenizer implements Tokenizer {

    public static final String NAME = "estimate";
    public static final int BYTES_PER_TOKEN = 4;

    private static final ByteEstimateTokenizer INSTANCE = new ByteEstimateTokenizer();

    public static ByteEstimateTokenizer instance() {
        return INSTANCE;
    }

    private ByteEstimateTokenizer() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /** UTF-8 encoding is an intrinsic copy for ASCII text, and so is the packing into ints. */
    @Override
    public int[] encode(String text) {
        return pack(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The pseudo-tokens of UTF-8 bytes: four per int, little-endian, the last one zero-padded. Callers that only
     * need request keys can skip this copy ({@code BlockKeys.ofPackedBytes}).
     */
    public static int[] pack(byte[] utf8) {
        int full = utf8.length / BYTES_PER_TOKEN;
        int rest = utf8.length % BYTES_PER_TOKEN;
        int[] out = new int[full + (rest > 0 ? 1 : 0)];
        // A bulk view copy: a plain memory copy on little-endian machines.
        ByteBuffer.wrap(utf8, 0, full * BYTES_PER_TOKEN).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out, 0, full);
        if (rest > 0) {
            int word = 0;
            for (int b = 0; b < rest; b++) {
                word |= (utf8[full * BYTES_PER_TOKEN + b] & 0xFF) << (8 * b);
            }
            out[full] = word;
        }
        return out;
    }

    /** Pseudo-tokens of {@code utf8Bytes} bytes of text. */
    public static int tokensForBytes(int utf8Bytes) {
        return (utf8Bytes + BYTES_PER_TOKEN - 1) / BYTES_PER_TOKEN;
    }

    @Override
    public int count(String text) {
        return tokensForBytes(utf8Length(text));
    }

    private static int utf8Length(String text) {
        int len = text.length();
        int bytes = 0;
        for (int i = 0; i < len; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += Character.isSurrogate(c) ? 1 : 3;
            }
        }
        return bytes;
    }
}
