package dev.jetway.kvcache.tokenize;

import java.util.Arrays;

/**
 * Jetway's deterministic tokenizer ({@value #NAME}), shared by {@code jetway sim}, the gateway and the workload
 * generators so that all three agree on token ids without any model files.
 *
 * <p>Rules (documented in docs/simulator.md, stable across releases):
 * <ul>
 *   <li>A token is one optional leading ASCII space followed by a run of 1 to {@value #MAX_WORD_CHARS} letters or
 *       digits (a longer run is cut into pieces of that length, only the first keeps the space); or one optional
 *       leading space followed by one other non-whitespace code point; or a run of whitespace that is not a single
 *       space before a word.</li>
 *   <li>The id of a token is FNV-1a 32 of its UTF-8 bytes, masked to 31 bits. Ids are not decodable; the engine
 *       model never needs to decode, and output text comes from {@link FillerText}.</li>
 * </ul>
 * Consequence the workload generators rely on: the words of {@link FillerText#WORDS}, each written with one leading
 * space, are one token each, so a text of N such words is exactly N tokens and concatenation preserves prefixes.
 */
public final class SimpleWordTokenizer implements Tokenizer {

    public static final String NAME = "jetway-simple-v1";
    public static final int MAX_WORD_CHARS = 16;

    private static final SimpleWordTokenizer INSTANCE = new SimpleWordTokenizer();

    public static SimpleWordTokenizer instance() {
        return INSTANCE;
    }

    private SimpleWordTokenizer() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * One pass over the text: each token's FNV-1a hash is computed while its end is found, and every char is
     * classified by one lookup in a table built from the same {@link Character} predicates the rules name. Only
     * surrogates (code points outside the BMP, or broken pairs) take the slower code-point path.
     */
    @Override
    public int[] encode(String text) {
        int len = text.length();
        int[] out = new int[Math.max(8, len / 4 + 8)];
        int n = 0;
        int i = 0;
        while (i < len) {
            int h = FNV_BASIS;
            char c = text.charAt(i);
            int kind = KIND[c];
            if (c == ' ' && i + 1 < len && KIND[text.charAt(i + 1)] != SPACE) {
                h = AFTER_SPACE; // a single space belongs to the token that follows it
                c = text.charAt(++i);
                kind = KIND[c];
            }
            if (kind == WORD || kind == SURROGATE && Character.isLetterOrDigit(text.codePointAt(i))) {
                // BMP letters and digits are one char per code point: the common loop counts chars, not code points.
                int start = i;
                int limit = Math.min(len, i + MAX_WORD_CHARS);
                while (i < limit && KIND[c = text.charAt(i)] == WORD) {
                    h = fnvUtf8(h, c);
                    i++;
                }
                int chars = i - start;
                if (i < limit && KIND[c] == SURROGATE) {
                    // Code points outside the BMP inside the word: count code points from here.
                    while (i < len && chars < MAX_WORD_CHARS) {
                        c = text.charAt(i);
                        kind = KIND[c];
                        if (kind == WORD) {
                            h = fnvUtf8(h, c);
                            i++;
                        } else if (kind == SURROGATE && Character.isLetterOrDigit(text.codePointAt(i))) {
                            h = fnvUtf8(h, text.codePointAt(i));
                            i += 2; // a letter or digit is never a lone surrogate, so this is a pair
                        } else {
                            break;
                        }
                        chars++;
                    }
                }
            } else if (kind == SPACE) {
                // A run of whitespace, minus a final single space before a non-space (it starts the next token).
                int runStart = i;
                int beforeLast = h;
                while (i < len && KIND[c = text.charAt(i)] == SPACE) {
                    beforeLast = h;
                    h = fnvUtf8(h, c);
                    i++;
                }
                if (i < len && i - runStart > 1 && text.charAt(i - 1) == ' ') {
                    i--;
                    h = beforeLast;
                }
            } else if (kind == SURROGATE) {
                int cp = text.codePointAt(i);
                // A broken pair is what String.getBytes(UTF_8) writes as '?'.
                h = Character.isSurrogate(c) && cp == c ? fnv(h, '?') : fnvUtf8(h, cp);
                i += Character.charCount(cp);
            } else {
                h = fnvUtf8(h, c);
                i++;
            }
            if (n == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            out[n++] = h & 0x7FFF_FFFF;
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    private static final byte OTHER = 0;
    private static final byte WORD = 1;
    private static final byte SPACE = 2;
    /** Half of a surrogate pair: its kind is that of the code point, which needs the next char too. */
    private static final byte SURROGATE = 3;
    private static final int FNV_BASIS = 0x811C9DC5;
    private static final int AFTER_SPACE = fnv(FNV_BASIS, ' ');
    /**
     * The kind of every BMP char (64 KB). Whitespace is all in the BMP, so a char's kind is its code point's, except
     * for surrogates.
     */
    private static final byte[] KIND = new byte[Character.MAX_VALUE + 1];

    static {
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            KIND[c] = Character.isSurrogate((char) c) ? SURROGATE
                    : Character.isWhitespace(c) ? SPACE
                    : Character.isLetterOrDigit(c) ? WORD
                    : OTHER;
        }
    }

    /** FNV-1a over the UTF-8 bytes of one (non-surrogate) code point. */
    private static int fnvUtf8(int h, int cp) {
        if (cp < 0x80) {
            return fnv(h, cp);
        } else if (cp < 0x800) {
            return fnv(fnv(h, 0xC0 | cp >> 6), 0x80 | cp & 0x3F);
        } else if (cp < 0x10000) {
            return fnv(fnv(fnv(h, 0xE0 | cp >> 12), 0x80 | cp >> 6 & 0x3F), 0x80 | cp & 0x3F);
        }
        return fnv(fnv(fnv(fnv(h, 0xF0 | cp >> 18), 0x80 | cp >> 12 & 0x3F), 0x80 | cp >> 6 & 0x3F), 0x80 | cp & 0x3F);
    }

    /** The id of one token, {@code text[from, to)}: FNV-1a 32 over its UTF-8 bytes, encoded on the fly. */
    static int idOf(CharSequence text, int from, int to) {
        int h = FNV_BASIS;
        int i = from;
        while (i < to) {
            char c = text.charAt(i++);
            int cp = c;
            if (Character.isHighSurrogate(c) && i < to && Character.isLowSurrogate(text.charAt(i))) {
                cp = Character.toCodePoint(c, text.charAt(i++));
            } else if (Character.isSurrogate(c)) {
                cp = '?'; // what String.getBytes(UTF_8) writes for a lone surrogate
            }
            h = fnvUtf8(h, cp);
        }
        return h & 0x7FFF_FFFF;
    }

    private static int fnv(int h, int octet) {
        return (h ^ octet) * 0x01000193;
    }
}
