package dev.jetway.kvcache.tokenize;

import java.util.Arrays;

/**
 * The first, straightforward {@link SimpleWordTokenizer} (code point by code point, {@code Character} predicates),
 * kept as the test oracle: the optimised tokenizer must give the same ids for every text.
 */
final class ReferenceWordTokenizer {

    static final int MAX_WORD_CHARS = SimpleWordTokenizer.MAX_WORD_CHARS;

    private ReferenceWordTokenizer() {
    }

    static int[] encode(String text) {
        int[] out = new int[Math.max(8, text.length() / 4 + 8)];
        int n = 0;
        int len = text.length();
        int i = 0;
        while (i < len) {
            int start = i;
            if (text.charAt(i) == ' ' && i + 1 < len && !Character.isWhitespace(text.codePointAt(i + 1))) {
                i++; // a single space belongs to the token that follows it
            }
            int cp = text.codePointAt(i);
            if (Character.isWhitespace(cp)) {
                i = endOfWhitespace(text, i);
            } else if (Character.isLetterOrDigit(cp)) {
                int chars = 0;
                while (i < len && chars < MAX_WORD_CHARS && Character.isLetterOrDigit(cp = text.codePointAt(i))) {
                    i += Character.charCount(cp);
                    chars++;
                }
            } else {
                i += Character.charCount(cp);
            }
            if (n == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            out[n++] = idOf(text, start, i);
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** End of a whitespace run, leaving a final single space that precedes a non-space for the next token. */
    private static int endOfWhitespace(String text, int i) {
        int len = text.length();
        int end = i;
        while (end < len && Character.isWhitespace(text.codePointAt(end))) {
            end += Character.charCount(text.codePointAt(end));
        }
        if (end < len && end - i > 1 && text.charAt(end - 1) == ' ') {
            end--;
        }
        return end;
    }

        static int idOf(CharSequence text, int from, int to) {
        int h = 0x811C9DC5;
        int i = from;
        while (i < to) {
            char c = text.charAt(i++);
            int cp = c;
            if (Character.isHighSurrogate(c) && i < to && Character.isLowSurrogate(text.charAt(i))) {
                cp = Character.toCodePoint(c, text.charAt(i++));
            } else if (Character.isSurrogate(c)) {
                cp = '?'; // what String.getBytes(UTF_8) writes for a lone surrogate
            }
            if (cp < 0x80) {
                h = fnv(h, cp);
            } else if (cp < 0x800) {
                h = fnv(fnv(h, 0xC0 | cp >> 6), 0x80 | cp & 0x3F);
            } else if (cp < 0x10000) {
                h = fnv(fnv(fnv(h, 0xE0 | cp >> 12), 0x80 | cp >> 6 & 0x3F), 0x80 | cp & 0x3F);
            } else {
                h = fnv(fnv(fnv(fnv(h, 0xF0 | cp >> 18), 0x80 | cp >> 12 & 0x3F), 0x80 | cp >> 6 & 0x3F), 0x80 | cp & 0x3F);
            }
        }
        return h & 0x7FFF_FFFF;
    }

    private static int fnv(int h, int octet) {
        return (h ^ octet) * 0x01000193;
    }
}
