package dev.jetway.kvcache.event;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A forward-only msgpack reader over one byte array, just what {@link KvEventDecoder} needs.
 *
 * <p>Why not msgpack-core's {@code MessageUnpacker}: a KV-event payload is mostly token ids (16 per block), and the
 * unpacker's per-value layers (format lookup, buffer refills, checked reads) cost more than the index update they feed.
 * Here a token id is one switch on the marker byte and a bounds check. Every read checks the array bounds and the
 * marker, and every problem is a {@link MalformedKvEventException}; collection headers larger than the bytes left are
 * rejected before anything is allocated, so a hostile header cannot ask for a huge array.
 */
final class MsgpackCursor {

    /** msgpack's value families, named as msgpack-core names them (they appear in error messages). */
    enum Kind { NIL, BOOLEAN, INTEGER, FLOAT, STRING, BINARY, ARRAY, MAP, EXTENSION }

    private static final int UINT64 = 0xcf;
    /** The widest integer encoding: a marker and 8 bytes. */
    private static final int MAX_INT_BYTES = 9;
    private static final VarHandle BIG_ENDIAN_INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BIG_ENDIAN_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] bytes;
    private int pos;

    MsgpackCursor(byte[] bytes) {
        this.bytes = bytes;
    }

    boolean hasNext() {
        return pos < bytes.length;
    }

    Kind peekKind() {
        int m = peek();
        if (m <= 0x7f || m >= 0xe0) {
            return Kind.INTEGER;
        }
        if (m <= 0x8f) {
            return Kind.MAP;
        }
        if (m <= 0x9f) {
            return Kind.ARRAY;
        }
        if (m <= 0xbf) {
            return Kind.STRING;
        }
        return switch (m) {
            case 0xc0 -> Kind.NIL;
            case 0xc2, 0xc3 -> Kind.BOOLEAN;
            case 0xc4, 0xc5, 0xc6 -> Kind.BINARY;
            case 0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8 -> Kind.EXTENSION;
            case 0xca, 0xcb -> Kind.FLOAT;
            case 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3 -> Kind.INTEGER;
            case 0xd9, 0xda, 0xdb -> Kind.STRING;
            case 0xdc, 0xdd -> Kind.ARRAY;
            case 0xde, 0xdf -> Kind.MAP;
            default -> throw malformed("marker 0x" + Integer.toHexString(m) + " is never used");
        };
    }

    /** Whether the next value is a uint64 (which may not fit a signed long). */
    boolean nextIsUint64() {
        return peek() == UINT64;
    }

    /** Consumes a nil if one is next. */
    boolean tryNil() {
        if (peek() == 0xc0) {
            pos++;
            return true;
        }
        return false;
    }

    boolean readBoolean() {
        int m = next();
        return switch (m) {
            case 0xc2 -> false;
            case 0xc3 -> true;
            default -> throw unexpected("a boolean", m);
        };
    }

    int readArrayHeader() {
        int m = next();
        long n;
        if (m >= 0x90 && m <= 0x9f) {
            n = m & 0x0f;
        } else if (m == 0xdc) {
            n = u16();
        } else if (m == 0xdd) {
            n = u32();
        } else {
            throw unexpected("an array", m);
        }
        return checkedCount(n, 1);
    }

    int readMapHeader() {
        int m = next();
        long n;
        if (m >= 0x80 && m <= 0x8f) {
            n = m & 0x0f;
        } else if (m == 0xde) {
            n = u16();
        } else if (m == 0xdf) {
            n = u32();
        } else {
            throw unexpected("a map", m);
        }
        return checkedCount(n, 2);
    }

    String readString() {
        int m = next();
        long n;
        if (m >= 0xa0 && m <= 0xbf) {
            n = m & 0x1f;
        } else if (m == 0xd9) {
            n = u8();
        } else if (m == 0xda) {
            n = u16();
        } else if (m == 0xdb) {
            n = u32();
        } else {
            throw unexpected("a string", m);
        }
        int len = checkedCount(n, 1);
        String s = new String(bytes, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    /** Length of a bin8/16/32 value; its bytes follow ({@link #readBytes}). */
    int readBinaryHeader() {
        int m = next();
        long n = switch (m) {
            case 0xc4 -> u8();
            case 0xc5 -> u16();
            case 0xc6 -> u32();
            default -> throw unexpected("binary", m);
        };
        return checkedCount(n, 1);
    }

    byte[] readBytes(int length) {
        require(length);
        byte[] out = new byte[length];
        System.arraycopy(bytes, pos, out, 0, length);
        pos += length;
        return out;
    }

    /** Reads {@code length} bytes as a big-endian number, keeping the last 8 when there are more. */
    long readBigEndianTail(int length) {
        require(length);
        int from = pos + Math.max(0, length - 8);
        long v = 0;
        for (int i = from; i < pos + length; i++) {
            v = (v << 8) | (bytes[i] & 0xff);
        }
        pos += length;
        return v;
    }

    /** Any msgpack integer as 64 bits: a uint64 of 2^63 or more keeps its bits (reads as negative). */
    long readLongBits() {
        int m = next();
        if (m <= 0x7f) {
            return m;
        }
        if (m >= 0xe0) {
            return (byte) m;
        }
        return switch (m) {
            case 0xcc -> u8();
            case 0xcd -> u16();
            case 0xce -> u32();
            case 0xcf -> u64();
            case 0xd0 -> (byte) u8();
            case 0xd1 -> (short) u16();
            case 0xd2 -> (int) u32();
            case 0xd3 -> u64();
            default -> throw unexpected("an integer", m);
        };
    }

    /** A msgpack integer that must fit a signed long (a uint64 of 2^63 or more does not). */
    long readLong() {
        boolean unsigned64 = nextIsUint64();
        long v = readLongBits();
        if (unsigned64 && v < 0) {
            throw malformed("integer " + Long.toUnsignedString(v) + " does not fit a signed 64-bit value");
        }
        return v;
    }

    /** A msgpack integer that must fit an int. The hot path: token ids are most of a payload. */
    int readInt() {
        int m = next();
        if (m <= 0x7f) {
            return m;
        }
        if (m >= 0xe0) {
            return (byte) m;
        }
        long v = switch (m) {
            case 0xcc -> u8();
            case 0xcd -> u16();
            case 0xce -> u32();
            case 0xd0 -> (byte) u8();
            case 0xd1 -> (short) u16();
            case 0xd2 -> (int) u32();
            case 0xcf, 0xd3 -> {
                long bits = u64();
                if (m == 0xcf && bits < 0) {
                    throw malformed("integer " + Long.toUnsignedString(bits) + " does not fit an int");
                }
                yield bits;
            }
            default -> throw unexpected("an integer", m);
        };
        if (v != (int) v) {
            throw malformed("integer " + v + " does not fit an int");
        }
        return (int) v;
    }

    /**
     * Fills {@code out} with integers that must each fit an int (an array's elements, its header already read). While
     * at least 9 bytes remain, the encodings token ids use (fixint, uint8/16/32) are read with one bounds check per
     * value and no branch on the width; anything else, and the last few values, go through {@link #readInt()}.
     */
    void readInts(int[] out) {
        byte[] b = bytes;
        int p = pos;
        for (int i = 0; i < out.length; i++) {
            if (p > b.length - MAX_INT_BYTES) {
                pos = p;
                out[i] = readInt();
                p = pos;
                continue;
            }
            int m = b[p] & 0xff;
            int widthCode = m - 0xcc; // uint8, uint16, uint32: 0, 1, 2
            if (widthCode >= 0 && widthCode <= 2) {
                // One path for all three widths: token ids mix them at random, so branching on the width would
                // mispredict about every other id. Reading 4 bytes is safe with 9 left.
                int width = 1 << widthCode;
                int v = (int) BIG_ENDIAN_INT.get(b, p + 1) >>> (32 - 8 * width);
                if (v < 0) {
                    pos = p;
                    throw malformed("integer " + Integer.toUnsignedString(v) + " does not fit an int");
                }
                out[i] = v;
                p += 1 + width;
            } else if (m <= 0x7f) {
                out[i] = m;
                p += 1;
            } else {
                pos = p;
                out[i] = readInt();
                p = pos;
            }
        }
        pos = p;
    }

    double readDouble() {
        int m = next();
        return switch (m) {
            case 0xca -> Float.intBitsToFloat((int) u32());
            case 0xcb -> Double.longBitsToDouble(u64());
            default -> throw unexpected("a float", m);
        };
    }

    /** Skips {@code count} whole values (nested arrays and maps included). */
    void skipValues(int count) {
        long remaining = count;
        while (remaining > 0) {
            remaining--;
            int m = next();
            if (m <= 0x7f || m >= 0xe0 || m == 0xc0 || m == 0xc2 || m == 0xc3) {
                continue;
            }
            if (m <= 0x8f) {
                remaining += 2L * (m & 0x0f);
            } else if (m <= 0x9f) {
                remaining += m & 0x0f;
            } else if (m <= 0xbf) {
                skip(m & 0x1f);
            } else {
                switch (m) {
                    case 0xc4, 0xd9 -> skip(u8());
                    case 0xc5, 0xda -> skip(u16());
                    case 0xc6, 0xdb -> skip(u32());
                    case 0xc7 -> skip(u8() + 1L);
                    case 0xc8 -> skip(u16() + 1L);
                    case 0xc9 -> skip(u32() + 1L);
                    case 0xca -> skip(4);
                    case 0xcb -> skip(8);
                    case 0xcc, 0xd0 -> skip(1);
                    case 0xcd, 0xd1 -> skip(2);
                    case 0xce, 0xd2 -> skip(4);
                    case 0xcf, 0xd3 -> skip(8);
                    case 0xd4 -> skip(2);
                    case 0xd5 -> skip(3);
                    case 0xd6 -> skip(5);
                    case 0xd7 -> skip(9);
                    case 0xd8 -> skip(17);
                    case 0xdc -> remaining += u16();
                    case 0xdd -> remaining += u32();
                    case 0xde -> remaining += 2L * u16();
                    case 0xdf -> remaining += 2L * u32();
                    default -> throw malformed("marker 0x" + Integer.toHexString(m) + " is never used");
                }
            }
            if (remaining > bytes.length - pos) {
                throw truncated(); // every value takes at least one byte
            }
        }
    }

    // ---- raw reads ----------------------------------------------------------------------------------------------

    private int peek() {
        if (pos >= bytes.length) {
            throw truncated();
        }
        return bytes[pos] & 0xff;
    }

    private int next() {
        if (pos >= bytes.length) {
            throw truncated();
        }
        return bytes[pos++] & 0xff;
    }

    private void require(long n) {
        if (n > bytes.length - pos) {
            throw truncated();
        }
    }

    private void skip(long n) {
        require(n);
        pos += (int) n;
    }

    private int u8() {
        return next();
    }

    private int u16() {
        require(2);
        int v = ((bytes[pos] & 0xff) << 8) | (bytes[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    private long u32() {
        require(4);
        long v = ((long) (bytes[pos] & 0xff) << 24) | ((bytes[pos + 1] & 0xff) << 16) | ((bytes[pos + 2] & 0xff) << 8)
                | (bytes[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    private long u64() {
        require(8);
        long v = (long) BIG_ENDIAN_LONG.get(bytes, pos);
        pos += 8;
        return v;
    }

    /** A count of values (or bytes) that needs at least {@code minBytesEach} bytes each of what is left. */
    private int checkedCount(long n, int minBytesEach) {
        if (n * minBytesEach > bytes.length - pos) {
            throw truncated();
        }
        return (int) n;
    }

    private MalformedKvEventException truncated() {
        return malformed("truncated at byte " + pos + " of " + bytes.length);
    }

    private MalformedKvEventException unexpected(String wanted, int marker) {
        return malformed("expected " + wanted + " at byte " + (pos - 1) + ", found marker 0x"
                + Integer.toHexString(marker));
    }

    private static MalformedKvEventException malformed(String detail) {
        return new MalformedKvEventException("malformed KV-event payload: " + detail);
    }
}
