package dev.jetway.kvcache.event;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Decodes vLLM's {@code EventBatch} msgpack payload.
 *
 * <p>Accepts both wire forms vLLM has used: the positional form (msgspec {@code array_like}, tag at index 0, trailing
 * defaults omitted) and the map form (key {@code "type"} plus named fields). Hashes may be uint64, int64 or bytes
 * (the last 8 bytes, big-endian). Unknown trailing fields, unknown map keys and events of unknown type are skipped so
 * a newer vLLM does not break intake; anything else that does not fit the schema raises
 * {@link MalformedKvEventException}.
 */
public final class KvEventDecoder {

    private static final int UINT64_FORMAT_BYTE = 0xcf;

    private KvEventDecoder() {
    }

    /** Decodes one payload; throws {@link MalformedKvEventException} (never anything else) if it is not an EventBatch. */
    public static KvEventBatch decode(byte[] payload) {
        if (payload == null || payload.length == 0) {
            throw new MalformedKvEventException("empty KV-event payload");
        }
        try (MessageUnpacker in = MessagePack.newDefaultUnpacker(payload)) {
            KvEventBatch batch = switch (in.getNextFormat().getValueType()) {
                case ARRAY -> batchFromArray(in);
                case MAP -> batchFromMap(in);
                default -> throw new MalformedKvEventException(
                        "EventBatch must be an array or a map, got " + in.getNextFormat().getValueType());
            };
            if (in.hasNext()) {
                throw new MalformedKvEventException("trailing bytes after the EventBatch");
            }
            return batch;
        } catch (MalformedKvEventException e) {
            throw e;
        } catch (IOException | MessagePackException | ClassCastException | IllegalArgumentException
                 | ArithmeticException e) {
            throw new MalformedKvEventException("malformed KV-event payload: " + e.getMessage(), e);
        }
    }

    private static KvEventBatch batchFromArray(MessageUnpacker in) throws IOException {
        int n = in.unpackArrayHeader();
        if (n < 2) {
            throw new MalformedKvEventException("EventBatch needs at least 2 elements [ts, events, dp_rank?], got " + n);
        }
        double ts = readNumber(in, "ts");
        List<KvEvent> events = readEvents(in);
        Integer dpRank = n >= 3 ? readNullableInt(in, "data_parallel_rank") : null;
        in.skipValue(Math.max(0, n - 3));
        return new KvEventBatch(ts, events, dpRank);
    }

    private static KvEventBatch batchFromMap(MessageUnpacker in) throws IOException {
        int n = in.unpackMapHeader();
        Double ts = null;
        List<KvEvent> events = null;
        Integer dpRank = null;
        for (int i = 0; i < n; i++) {
            switch (readKey(in)) {
                case "ts" -> ts = readNumber(in, "ts");
                case "events" -> events = readEvents(in);
                case "data_parallel_rank" -> dpRank = readNullableInt(in, "data_parallel_rank");
                default -> in.skipValue();
            }
        }
        if (ts == null || events == null) {
            throw new MalformedKvEventException("EventBatch map needs 'ts' and 'events'");
        }
        return new KvEventBatch(ts, events, dpRank);
    }

    private static List<KvEvent> readEvents(MessageUnpacker in) throws IOException {
        expect(in, ValueType.ARRAY, "events");
        int n = in.unpackArrayHeader();
        List<KvEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            KvEvent event = switch (in.getNextFormat().getValueType()) {
                case ARRAY -> eventFromArray(in);
                case MAP -> eventFromMap(in);
                default -> throw new MalformedKvEventException(
                        "event " + i + " must be an array or a map, got " + in.getNextFormat().getValueType());
            };
            if (event != null) {
                events.add(event);
            }
        }
        return events;
    }

    private static KvEvent eventFromArray(MessageUnpacker in) throws IOException {
        int n = in.unpackArrayHeader();
        if (n < 1) {
            throw new MalformedKvEventException("event array has no tag");
        }
        expect(in, ValueType.STRING, "event tag");
        String tag = in.unpackString();
        KvEvent event = switch (tag) {
            case "BlockStored" -> {
                if (n < 5) {
                    throw new MalformedKvEventException("BlockStored needs at least 5 fields, got " + n);
                }
                long[] hashes = readHashes(in, "block_hashes");
                Long parent = readNullableHash(in, "parent_block_hash");
                int[] tokens = readInts(in, "token_ids");
                int blockSize = readInt(in, "block_size");
                Integer loraId = n > 5 ? readNullableInt(in, "lora_id") : null;
                String medium = n > 6 ? readNullableString(in, "medium") : null;
                String loraName = n > 7 ? readNullableString(in, "lora_name") : null;
                List<List<Object>> extraKeys = n > 8 ? readExtraKeys(in) : null;
                Integer groupIdx = n > 9 ? readNullableInt(in, "group_idx") : null;
                String specKind = n > 10 ? readNullableString(in, "kv_cache_spec_kind") : null;
                Integer window = n > 11 ? readNullableInt(in, "kv_cache_spec_sliding_window") : null;
                in.skipValue(Math.max(0, n - 12));
                yield new KvEvent.BlockStored(hashes, parent, tokens, blockSize, loraId, medium, loraName, extraKeys,
                        groupIdx, specKind, window);
            }
            case "BlockRemoved" -> {
                if (n < 2) {
                    throw new MalformedKvEventException("BlockRemoved needs block_hashes");
                }
                long[] hashes = readHashes(in, "block_hashes");
                String medium = n > 2 ? readNullableString(in, "medium") : null;
                Integer groupIdx = n > 3 ? readNullableInt(in, "group_idx") : null;
                in.skipValue(Math.max(0, n - 4));
                yield new KvEvent.BlockRemoved(hashes, medium, groupIdx);
            }
            case "AllBlocksCleared" -> {
                String medium = n > 1 ? readNullableString(in, "medium") : null;
                in.skipValue(Math.max(0, n - 2));
                yield new KvEvent.AllBlocksCleared(medium);
            }
            default -> {
                in.skipValue(n - 1); // an event type newer than this decoder: not ours to interpret
                yield null;
            }
        };
        return event;
    }

    private static KvEvent eventFromMap(MessageUnpacker in) throws IOException {
        int n = in.unpackMapHeader();
        String tag = null;
        long[] hashes = null;
        Long parent = null;
        int[] tokens = null;
        Integer blockSize = null;
        Integer loraId = null;
        String medium = null;
        String loraName = null;
        List<List<Object>> extraKeys = null;
        Integer groupIdx = null;
        String specKind = null;
        Integer window = null;
        for (int i = 0; i < n; i++) {
            switch (readKey(in)) {
                case "type" -> {
                    expect(in, ValueType.STRING, "type");
                    tag = in.unpackString();
                }
                case "block_hashes" -> hashes = readHashes(in, "block_hashes");
                case "parent_block_hash" -> parent = readNullableHash(in, "parent_block_hash");
                case "token_ids" -> tokens = readInts(in, "token_ids");
                case "block_size" -> blockSize = readInt(in, "block_size");
                case "lora_id" -> loraId = readNullableInt(in, "lora_id");
                case "medium" -> medium = readNullableString(in, "medium");
                case "lora_name" -> loraName = readNullableString(in, "lora_name");
                case "extra_keys" -> extraKeys = readExtraKeys(in);
                case "group_idx" -> groupIdx = readNullableInt(in, "group_idx");
                case "kv_cache_spec_kind" -> specKind = readNullableString(in, "kv_cache_spec_kind");
                case "kv_cache_spec_sliding_window" -> window = readNullableInt(in, "kv_cache_spec_sliding_window");
                default -> in.skipValue();
            }
        }
        if (tag == null) {
            throw new MalformedKvEventException("event map has no 'type'");
        }
        return switch (tag) {
            case "BlockStored" -> {
                if (hashes == null || tokens == null || blockSize == null) {
                    throw new MalformedKvEventException("BlockStored map needs block_hashes, token_ids and block_size");
                }
                yield new KvEvent.BlockStored(hashes, parent, tokens, blockSize, loraId, medium, loraName, extraKeys,
                        groupIdx, specKind, window);
            }
            case "BlockRemoved" -> {
                if (hashes == null) {
                    throw new MalformedKvEventException("BlockRemoved map needs block_hashes");
                }
                yield new KvEvent.BlockRemoved(hashes, medium, groupIdx);
            }
            case "AllBlocksCleared" -> new KvEvent.AllBlocksCleared(medium);
            default -> null;
        };
    }

    private static long[] readHashes(MessageUnpacker in, String field) throws IOException {
        expect(in, ValueType.ARRAY, field);
        int n = in.unpackArrayHeader();
        long[] hashes = new long[n];
        for (int i = 0; i < n; i++) {
            hashes[i] = readHash(in, field);
        }
        return hashes;
    }

    private static Long readNullableHash(MessageUnpacker in, String field) throws IOException {
        if (in.tryUnpackNil()) {
            return null;
        }
        return readHash(in, field);
    }

    /** uint64 (kept as the same 64 bits), int64, or bytes (last 8 bytes, big-endian). */
    private static long readHash(MessageUnpacker in, String field) throws IOException {
        MessageFormat format = in.getNextFormat();
        if (format == MessageFormat.UINT64) {
            // unpackLong rejects values >= 2^63; read the marker and the 8 big-endian bytes ourselves.
            byte[] raw = in.readPayload(9);
            if ((raw[0] & 0xff) != UINT64_FORMAT_BYTE) {
                throw new MalformedKvEventException(field + ": unexpected uint64 marker");
            }
            return bigEndian(raw, 1, 8);
        }
        return switch (format.getValueType()) {
            case INTEGER -> in.unpackLong();
            case BINARY -> {
                int len = in.unpackBinaryHeader();
                byte[] bytes = in.readPayload(len);
                int take = Math.min(8, len);
                yield bigEndian(bytes, len - take, take);
            }
            default -> throw new MalformedKvEventException(
                    field + " must hold integers or bytes, got " + format.getValueType());
        };
    }

    private static long bigEndian(byte[] bytes, int offset, int length) {
        long v = 0;
        for (int i = offset; i < offset + length; i++) {
            v = (v << 8) | (bytes[i] & 0xff);
        }
        return v;
    }

    private static int[] readInts(MessageUnpacker in, String field) throws IOException {
        expect(in, ValueType.ARRAY, field);
        int n = in.unpackArrayHeader();
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            // Token ids are most of a payload: no per-element format peek; a non-integer still fails as malformed.
            values[i] = in.unpackInt();
        }
        return values;
    }

    private static int readInt(MessageUnpacker in, String field) throws IOException {
        expect(in, ValueType.INTEGER, field);
        return in.unpackInt();
    }

    private static Integer readNullableInt(MessageUnpacker in, String field) throws IOException {
        return in.tryUnpackNil() ? null : readInt(in, field);
    }

    private static String readNullableString(MessageUnpacker in, String field) throws IOException {
        if (in.tryUnpackNil()) {
            return null;
        }
        expect(in, ValueType.STRING, field);
        return in.unpackString();
    }

    private static double readNumber(MessageUnpacker in, String field) throws IOException {
        return switch (in.getNextFormat().getValueType()) {
            case FLOAT -> in.unpackDouble();
            case INTEGER -> in.unpackLong();
            default -> throw new MalformedKvEventException(field + " must be a number");
        };
    }

    private static String readKey(MessageUnpacker in) throws IOException {
        expect(in, ValueType.STRING, "map key");
        return in.unpackString();
    }

    private static List<List<Object>> readExtraKeys(MessageUnpacker in) throws IOException {
        if (in.tryUnpackNil()) {
            return null;
        }
        expect(in, ValueType.ARRAY, "extra_keys");
        int n = in.unpackArrayHeader();
        List<List<Object>> perBlock = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (in.tryUnpackNil()) {
                perBlock.add(null);
                continue;
            }
            expect(in, ValueType.ARRAY, "extra_keys[" + i + "]");
            perBlock.add(readList(in));
        }
        return Collections.unmodifiableList(perBlock);
    }

    private static List<Object> readList(MessageUnpacker in) throws IOException {
        int n = in.unpackArrayHeader();
        List<Object> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            values.add(readAny(in));
        }
        return Collections.unmodifiableList(values);
    }

    private static Object readAny(MessageUnpacker in) throws IOException {
        MessageFormat format = in.getNextFormat();
        if (format == MessageFormat.UINT64) {
            return readHash(in, "extra_keys");
        }
        return switch (format.getValueType()) {
            case NIL -> {
                in.unpackNil();
                yield null;
            }
            case BOOLEAN -> in.unpackBoolean();
            case INTEGER -> in.unpackLong();
            case FLOAT -> in.unpackDouble();
            case STRING -> in.unpackString();
            case BINARY -> in.readPayload(in.unpackBinaryHeader());
            case ARRAY -> readList(in);
            default -> throw new MalformedKvEventException("extra_keys hold unsupported " + format.getValueType());
        };
    }

    private static void expect(MessageUnpacker in, ValueType type, String field) throws IOException {
        ValueType actual = in.getNextFormat().getValueType();
        if (actual != type) {
            throw new MalformedKvEventException(field + " must be " + type + ", got " + actual);
        }
    }
}
