package dev.jetway.kvcache.key;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * XXH64 with an explicit seed over an {@code int[]} range (read as little-endian 32-bit words) or a {@code byte[]}
 * range: the same values as zero-allocation-hashing's {@code LongHashFunction.xx(seed).hashInts / hashBytes} on a
 * little-endian machine, without that library's per-seed function object (one allocation per block on the routing
 * path) and independent of the machine's byte order.
 *
 * <p>Follows the XXH64 specification: four lanes over 32-byte stripes, then 8-, 4- and 1-byte tails, then the
 * avalanche.
 */
final class XxHash64 {

    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private XxHash64() {
    }

    static long hashInts(long seed, int[] ints, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, ints.length);
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
            h = converge(v1, v2, v3, v4);
        } else {
            h = seed + P5;
        }
        h += (long) length * Integer.BYTES;
        while (i + 1 < end) {
            h = mixWord(h, word(ints, i));
            i += 2;
        }
        if (i < end) {
            h = mixInt(h, ints[i]);
        }
        return avalanche(h);
    }

    static long hashBytes(long seed, byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        int i = offset;
        int end = offset + length;
        long h;
        if (length >= 32) {
            long v1 = seed + P1 + P2;
            long v2 = seed + P2;
            long v3 = seed;
            long v4 = seed - P1;
            int stripesEnd = end - 31;
            while (i < stripesEnd) {
                v1 = round(v1, (long) LONG_LE.get(bytes, i));
                v2 = round(v2, (long) LONG_LE.get(bytes, i + 8));
                v3 = round(v3, (long) LONG_LE.get(bytes, i + 16));
                v4 = round(v4, (long) LONG_LE.get(bytes, i + 24));
                i += 32;
            }
            h = converge(v1, v2, v3, v4);
        } else {
            h = seed + P5;
        }
        h += length;
        while (i + 8 <= end) {
            h = mixWord(h, (long) LONG_LE.get(bytes, i));
            i += 8;
        }
        if (i + 4 <= end) {
            h = mixInt(h, (int) INT_LE.get(bytes, i));
            i += 4;
        }
        while (i < end) {
            h ^= (bytes[i++] & 0xFFL) * P5;
            h = Long.rotateLeft(h, 11) * P1;
        }
        return avalanche(h);
    }

    /** Two consecutive ints as one little-endian 64-bit word. */
    private static long word(int[] ints, int i) {
        return (ints[i] & 0xFFFF_FFFFL) | (long) ints[i + 1] << 32;
    }

    private static long round(long acc, long input) {
        return Long.rotateLeft(acc + input * P2, 31) * P1;
    }

    private static long converge(long v1, long v2, long v3, long v4) {
        long h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
        h = merge(h, v1);
        h = merge(h, v2);
        h = merge(h, v3);
        return merge(h, v4);
    }

    private static long merge(long acc, long lane) {
        return (acc ^ round(0, lane)) * P1 + P4;
    }

    private static long mixWord(long h, long word) {
        return Long.rotateLeft(h ^ round(0, word), 27) * P1 + P4;
    }

    private static long mixInt(long h, int word) {
        return Long.rotateLeft(h ^ (word & 0xFFFF_FFFFL) * P1, 23) * P2 + P3;
    }

    private static long avalanche(long h) {
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        return h ^ h >>> 32;
    }
}
