package dev.jetway.bench.workload;

import dev.jetway.kvcache.tokenize.FillerText;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;

/**
 * Picks filler words from a seed and a position, so a prompt's text and its token ids come from the same choice and
 * two segments with the same seed are the same tokens. Word 0 of a segment is {@code seed mod words}: generators
 * pick seeds so that siblings (questions of one group) start with different words and share nothing past the prefix
 * they are meant to share.
 */
final class FillerWords {

    static final int COUNT = FillerText.WORDS.size();

    /** The {@link SimpleWordTokenizer} id of each filler word with its leading space: one token each. */
    private static final int[] TOKEN_IDS = new int[COUNT];

    static {
        SimpleWordTokenizer tokenizer = SimpleWordTokenizer.instance();
        for (int i = 0; i < COUNT; i++) {
            int[] ids = tokenizer.encode(FillerText.word(i));
            if (ids.length != 1) {
                throw new IllegalStateException("filler word is not one token: '" + FillerText.word(i) + "'");
            }
            TOKEN_IDS[i] = ids[0];
        }
    }

    private FillerWords() {
    }

    static int wordAt(long seed, int position) {
        if (position == 0) {
            return (int) Math.floorMod(seed, (long) COUNT);
        }
        return (int) Math.floorMod(mix(seed * 0x9E3779B97F4A7C15L + position), (long) COUNT);
    }

    static int tokenId(int word) {
        return TOKEN_IDS[word];
    }

    /** A seed whose segment starts with filler word {@code word}: siblings get distinct first words. */
    static long seedStartingWith(long raw, int word) {
        long base = raw >>> 8;
        return base - base % COUNT + Math.floorMod(word, COUNT);
    }

    /** SplitMix64's finalizer: a cheap, well-spread 64-bit mix. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform draw in [0, 1) from a derived seed (53 well-mixed bits). */
    static double uniform(long derivedSeed) {
        return (mix(derivedSeed) >>> 11) * 0x1.0p-53;
    }

    /** A seed derived from a parent seed and a few coordinates (group, prompt, turn...). */
    static long derive(long seed, long... parts) {
        long h = mix(seed ^ 0x632BE59BD9B4E019L);
        for (long p : parts) {
            h = mix(h ^ (p * 0xD6E8FEB86659FD93L + 0x9E3779B97F4A7C15L));
        }
        return h;
    }
}
