package dev.jetway.kvcache.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Token ids are a contract between the simulator, the gateway and saved workloads: these tests pin them for text
 * that exercises every rule (spaces before words, whitespace runs, long runs, non-ASCII letters, combining marks,
 * supplementary code points, lone surrogates, Unicode spaces that are and are not whitespace), and compare the
 * tokenizers with their straightforward reference definitions on random text of the same mix.
 */
class TokenIdPinningTest {

    static final String MIXED = "Hi  there,\tworld!\r\n\n  naïve café (e\u0301) 東京タワー 🚀🚀 x\u00A0y\u3000z \u2028end  "
            + "Supercalifragilisticexpialidocious 𝐀𝐁𝐂 ٣١٤ 123456789012345678901 \uD800 lone\uDC00 tab\t\t ok"
            + "   \u1680 done.";

    @Test
    void jetwaySimpleIdsOfMixedTextArePinned() {
        assertThat(SimpleWordTokenizer.instance().encode(MIXED)).containsExactly(
                1743471802, 621580159, 330610759, 688690635, 202139684, 933488787, 604802540, 1187090268, 1675208661,
                1624480899, 700818933, 1611408096, 648379038, 739023492, 136377214, 2109509660, 2141686490,
                1506093061, 2074130879, 2081181428, 942354722, 2131514285, 425926455, 1787721130, 621580159,
                476525907, 1847478842, 1178800089, 729167401, 811949272, 1489144745, 2029514814, 314933696,
                1497582179, 973910158, 1279486966, 612892375, 1467257153, 1433043032, 388791755, 722245873);
    }

    @Test
    void estimateIdsOfMixedTextArePinned() {
        assertThat(ByteEstimateTokenizer.instance().encode(MIXED)).containsExactly(
                538995016, 1919248500, 1997089893, 1684828783, 168430881, 1634607136, 1702277059, 1717658400,
                673229251, 696372325, -1315052000, -475219228, -2082226302, -1132207185, -1700794336, -1700794240,
                -1032314752, -2132575840, -501187968, 1852156032, 1394614372, 1919250549, 1768710499, 1734439526,
                1936288873, 1701013876, 1634300024, 1868851564, 1970235747, -1645207437, -1645182832, -1645182576,
                -652180848, -643704413, 842080420, 909456435, 809056311, 875770417, 943142453, 540094521, 1869357119,
                541025646, 157442420, 1802444809, -517988320, 1679851674, 778399343);
        assertThat(ByteEstimateTokenizer.instance().count(MIXED)).isEqualTo(47);
    }

    @Test
    void jetwaySimpleMatchesTheReferenceOnRandomMixedText() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int round = 0; round < 2_000; round++) {
            String text = randomText(rnd, rnd.nextInt(0, 120));
            assertSameIds(SimpleWordTokenizer.instance().encode(text), ReferenceWordTokenizer.encode(text), text);
        }
    }

    @Test
    void jetwaySimpleMatchesTheReferenceOnLongText() {
        String text = randomText(new SplittableRandom(11), 60_000);
        assertSameIds(SimpleWordTokenizer.instance().encode(text), ReferenceWordTokenizer.encode(text), "random");
        String filler = FillerText.random(50_000, new SplittableRandom(3));
        assertSameIds(SimpleWordTokenizer.instance().encode(filler), ReferenceWordTokenizer.encode(filler), "filler");
    }

    @Test
    void estimateMatchesItsDefinitionOnRandomMixedText() {
        SplittableRandom rnd = new SplittableRandom(9);
        for (int round = 0; round < 2_000; round++) {
            String text = randomText(rnd, rnd.nextInt(0, 120));
            byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int[] expected = new int[(utf8.length + 3) / 4];
            for (int b = 0; b < utf8.length; b++) {
                expected[b / 4] |= (utf8[b] & 0xFF) << (8 * (b % 4));
            }
            assertSameIds(ByteEstimateTokenizer.instance().encode(text), expected, text);
            assertThat(ByteEstimateTokenizer.instance().count(text)).isEqualTo(expected.length);
        }
    }

    /** Compares whole arrays cheaply and names the text and the first differing token only on failure. */
    private static void assertSameIds(int[] actual, int[] expected, String text) {
        int at = java.util.Arrays.mismatch(actual, expected);
        assertThat(at).as(() -> "first differing token (of " + expected.length + " expected, " + actual.length
                + " produced) for text " + escape(text.length() > 300 ? text.substring(0, 300) + "..." : text))
                .isEqualTo(-1);
    }

    /** Pieces chosen to hit every branch, mostly ASCII as real prompts are. */
    private static final String[] PIECES = {
            " ", " ", " ", "  ", "\t", "\n", "\r\n", "a", "b", "Z", "7", "word", "x", ",", ".", "!", "(", "_", "-",
            "é", "e\u0301", "ß", "東", "京", "🚀", "𝐀", "\u00A0", "\u3000", "\u2028", "\u1680", "\u0085", "\u001F",
            "\uD800", "\uDC00", "\uDBFF", "٣", "\u0000", "\u007F", "ÿ", "Ā", "aaaaaaaaaaaaaaaaaaaa"};

    static String randomText(SplittableRandom rnd, int pieces) {
        StringBuilder sb = new StringBuilder(pieces * 3);
        for (int i = 0; i < pieces; i++) {
            sb.append(PIECES[rnd.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.chars().forEach(c -> sb.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\u%04X", c)));
        return sb.toString();
    }
}
