package dev.jetway.kvcache.event;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

/**
 * Encodes an {@link KvEventBatch} the way vLLM publishes it by default: the positional (msgspec {@code array_like})
 * form, hashes as msgpack unsigned integers, medium {@code "GPU"} when the event names none. Optional trailing
 * fields of {@code BlockStored} after {@code lora_name} are written only up to the last one that is set, as msgspec's
 * {@code omit_defaults} does.
 */
public final class KvEventEncoder {

    private KvEventEncoder() {
    }

    public static byte[] encode(KvEventBatch batch) {
        try (MessageBufferPacker out = MessagePack.newDefaultBufferPacker()) {
            out.packArrayHeader(3);
            out.packDouble(batch.ts());
            out.packArrayHeader(batch.events().size());
            for (KvEvent event : batch.events()) {
                writeEvent(out, event);
            }
            writeNullableInt(out, batch.dpRank());
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory msgpack buffer failed", e);
        }
    }

    private static void writeEvent(MessagePacker out, KvEvent event) throws IOException {
        switch (event) {
            case KvEvent.BlockStored s -> {
                int fields = s.kvCacheSpecSlidingWindow() != null ? 12
                        : s.kvCacheSpecKind() != null ? 11
                        : s.groupIdx() != null ? 10
                        : s.extraKeys() != null ? 9
                        : 8;
                out.packArrayHeader(fields);
                out.packString("BlockStored");
                writeHashes(out, s.blockHashes());
                if (s.parentBlockHash() == null) {
                    out.packNil();
                } else {
                    writeHash(out, s.parentBlockHash());
                }
                out.packArrayHeader(s.tokenIds().length);
                for (int t : s.tokenIds()) {
                    out.packInt(t);
                }
                out.packInt(s.blockSize());
                writeNullableInt(out, s.loraId());
                out.packString(s.medium() == null ? KvEvent.GPU : s.medium());
                writeNullableString(out, s.loraName());
                if (fields > 8) {
                    writeExtraKeys(out, s.extraKeys());
                }
                if (fields > 9) {
                    writeNullableInt(out, s.groupIdx());
                }
                if (fields > 10) {
                    writeNullableString(out, s.kvCacheSpecKind());
                }
                if (fields > 11) {
                    writeNullableInt(out, s.kvCacheSpecSlidingWindow());
                }
            }
            case KvEvent.BlockRemoved r -> {
                out.packArrayHeader(r.groupIdx() != null ? 4 : 3);
                out.packString("BlockRemoved");
                writeHashes(out, r.blockHashes());
                out.packString(r.medium() == null ? KvEvent.GPU : r.medium());
                if (r.groupIdx() != null) {
                    out.packInt(r.groupIdx());
                }
            }
            case KvEvent.AllBlocksCleared c -> {
                out.packArrayHeader(c.medium() != null ? 2 : 1);
                out.packString("AllBlocksCleared");
                if (c.medium() != null) {
                    out.packString(c.medium());
                }
            }
        }
    }

    private static void writeHashes(MessagePacker out, long[] hashes) throws IOException {
        out.packArrayHeader(hashes.length);
        for (long h : hashes) {
            writeHash(out, h);
        }
    }

    /** Unsigned, as Python writes an int: a hash of 2^63 or more becomes uint64 instead of a negative int64. */
    private static void writeHash(MessagePacker out, long hash) throws IOException {
        if (hash >= 0) {
            out.packLong(hash);
            return;
        }
        byte[] raw = new byte[9];
        raw[0] = (byte) 0xcf;
        for (int i = 0; i < 8; i++) {
            raw[1 + i] = (byte) (hash >>> (56 - 8 * i));
        }
        out.writePayload(raw);
    }

    private static void writeExtraKeys(MessagePacker out, List<List<Object>> extraKeys) throws IOException {
        if (extraKeys == null) {
            out.packNil();
            return;
        }
        out.packArrayHeader(extraKeys.size());
        for (List<Object> block : extraKeys) {
            writeAny(out, block);
        }
    }

    private static void writeAny(MessagePacker out, Object value) throws IOException {
        switch (value) {
            case null -> out.packNil();
            case String s -> out.packString(s);
            case Long l -> writeHash(out, l);
            case Integer i -> out.packInt(i);
            case Double d -> out.packDouble(d);
            case Boolean b -> out.packBoolean(b);
            case byte[] bytes -> {
                out.packBinaryHeader(bytes.length);
                out.writePayload(bytes);
            }
            case List<?> list -> {
                out.packArrayHeader(list.size());
                for (Object o : list) {
                    writeAny(out, o);
                }
            }
            default -> throw new IllegalArgumentException("extra key of unsupported type " + value.getClass());
        }
    }

    private static void writeNullableInt(MessagePacker out, Integer value) throws IOException {
        if (value == null) {
            out.packNil();
        } else {
            out.packInt(value);
        }
    }

    private static void writeNullableString(MessagePacker out, String value) throws IOException {
        if (value == null) {
            out.packNil();
        } else {
            out.packString(value);
        }
    }
}
