package dev.jetway.kvcache.tokenize;

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

    /** Encodes to UTF-8 on the fly (no intermediate byte array) and packs. */
    @Override
    public int[] encode(String text) {
        int len = text.length();
        int[] out = new int[(utf8Length(text) + BYTES_PER_TOKEN - 1) / BYTES_PER_TOKEN];
        int word = 0;
        int shift = 0;
        int n = 0;
        for (int i = 0; i < len; i++) {
            char c = text.charAt(i);
            int cp = c;
            if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(text.charAt(i + 1))) {
                cp = Character.toCodePoint(c, text.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                cp = '?'; // what String.getBytes(UTF_8) writes for a lone surrogate
            }
            if (cp < 0x80) {
                word |= cp << shift;
                shift += 8;
                if (shift == 32) { out[n++] = word; word = 0; shift = 0; }
            } else {
                int bytes = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                for (int b = bytes - 1; b >= 0; b--) {
                    int v;
                    if (b == bytes - 1) {
                        v = switch (bytes) {
                            case 2 -> 0xC0 | (cp >> 6);
                            case 3 -> 0xE0 | (cp >> 12);
                            default -> 0xF0 | (cp >> 18);
                        };
                    } else {
                        v = 0x80 | ((cp >> (6 * b)) & 0x3F);
                    }
                    word |= (v & 0xFF) << shift;
                    shift += 8;
                    if (shift == 32) { out[n++] = word; word = 0; shift = 0; }
                }
            }
        }
        if (shift > 0) {
            out[n++] = word;
        }
        return out;
    }

    @Override
    public int count(String text) {
        return (utf8Length(text) + BYTES_PER_TOKEN - 1) / BYTES_PER_TOKEN;
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
