package dev.jetway.kvcache.key;

/**
 * XXH64 of an {@code int[]} range read as little-endian 32-bit words, with an explicit seed: the same value as
 * zero-allocation-hashing's {@code LongHashFunction.xx(seed).hashInts(...)} on a little-endian machine, without that
 * library's per-seed function object (one allocation per block on the routing path) and independent of byte order.
 *
 * <p>Follows the XXH64 specification: four lanes over 32-byte stripes, then 8- and 4-byte tails, then the
 * avalanche. Input lengths are whole ints, so the 1-byte tail never occurs.
 */
final class XxHash64Ints {

    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;

    private XxHash64Ints() {
    }

    static long hash(long seed, int[] ints, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, ints.length);
        int i = offset;
        int end = offset + length;
        long h;
        if (length >= 8) {
            long v1 = seed + P1 + P2;
            long v2 = seed + P2;
            long v3 = seed;
            long v4 = seed - P1;
            int stripesEnd = end - 7;
            while (i < stripesEnd) {
                v1 = round(v1, word(ints, i));
                v2 = round(v2, word(ints, i + 2));
                v3 = round(v3, word(ints, i + 4));
                v4 = round(v4, word(ints, i + 6));
                i += 8;
            }
            h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            h = merge(h, v1);
            h = merge(h, v2);
            h = merge(h, v3);
            h = merge(h, v4);
        } else {
            h = seed + P5;
        }
        h += (long) length * Integer.BYTES;
        while (i + 1 < end) {
            h ^= round(0, word(ints, i));
            h = Long.rotateLeft(h, 27) * P1 + P4;
            i += 2;
        }
        if (i < end) {
            h ^= (ints[i] & 0xFFFF_FFFFL) * P1;
            h = Long.rotateLeft(h, 23) * P2 + P3;
        }
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        h ^= h >>> 32;
        return h;
    }

    /** Two consecutive ints as one little-endian 64-bit word. */
    private static long word(int[] ints, int i) {
        return (ints[i] & 0xFFFF_FFFFL) | (long) ints[i + 1] << 32;
    }

    private static long round(long acc, long input) {
        return Long.rotateLeft(acc + input * P2, 31) * P1;
    }

    private static long merge(long acc, long lane) {
        return (acc ^ round(0, lane)) * P1 + P4;
    }
}
