package dev.jetway.kvcache.event;

import dev.jetway.kvcache.event.MsgpackCursor.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Decodes vLLM's {@code EventBatch} msgpack payload.
 *
 * <p>Accepts both wire forms vLLM has used: the positional form (msgspec {@code array_like}, tag at index 0, trailing
 * defaults omitted) and the map form (key {@code "type"} plus named fields). Hashes may be uint64, int64 or bytes
 * (the last 8 bytes, big-endian). Unknown trailing fields, unknown map keys and events of unknown type are skipped so
 * a newer vLLM does not break intake; anything else that does not fit the schema raises
 * {@link MalformedKvEventException}.
 *
 * <p>Reads with {@link MsgpackCursor} straight from the payload array: decoding is most of the intake's cost per
 * block, so token ids and hashes go from bytes to primitive arrays without per-value objects.
 */
public final class KvEventDecoder {

    private KvEventDecoder() {
    }

    /** Decodes one payload; throws {@link MalformedKvEventException} (never anything else) if it is not an EventBatch. */
    public static KvEventBatch decode(byte[] payload) {
        if (payload == null || payload.length == 0) {
            throw new MalformedKvEventException("empty KV-event payload");
        }
        MsgpackCursor in = new MsgpackCursor(payload);
        KvEventBatch batch = switch (in.peekKind()) {
            case ARRAY -> batchFromArray(in);
            case MAP -> batchFromMap(in);
            default -> throw new MalformedKvEventException(
                    "EventBatch must be an array or a map, got " + in.peekKind());
        };
        if (in.hasNext()) {
            throw new MalformedKvEventException("trailing bytes after the EventBatch");
        }
        return batch;
    }

    private static KvEventBatch batchFromArray(MsgpackCursor in) {
        int n = in.readArrayHeader();
        if (n < 2) {
            throw new MalformedKvEventException("EventBatch needs at least 2 elements [ts, events, dp_rank?], got " + n);
        }
        double ts = readNumber(in, "ts");
        List<KvEvent> events = readEvents(in);
        Integer dpRank = n >= 3 ? readNullableInt(in, "data_parallel_rank") : null;
        in.skipValues(Math.max(0, n - 3));
        return new KvEventBatch(ts, events, dpRank);
    }

    private static KvEventBatch batchFromMap(MsgpackCursor in) {
        int n = in.readMapHeader();
        Double ts = null;
        List<KvEvent> events = null;
        Integer dpRank = null;
        for (int i = 0; i < n; i++) {
            switch (readKey(in)) {
                case "ts" -> ts = readNumber(in, "ts");
                case "events" -> events = readEvents(in);
                case "data_parallel_rank" -> dpRank = readNullableInt(in, "data_parallel_rank");
                default -> in.skipValues(1);
            }
        }
        if (ts == null || events == null) {
            throw new MalformedKvEventException("EventBatch map needs 'ts' and 'events'");
        }
        return new KvEventBatch(ts, events, dpRank);
    }

    private static List<KvEvent> readEvents(MsgpackCursor in) {
        expect(in, Kind.ARRAY, "events");
        int n = in.readArrayHeader();
        List<KvEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            KvEvent event = switch (in.peekKind()) {
                case ARRAY -> eventFromArray(in);
                case MAP -> eventFromMap(in);
                default -> throw new MalformedKvEventException(
                        "event " + i + " must be an array or a map, got " + in.peekKind());
            };
            if (event != null) {
                events.add(event);
            }
        }
        return events;
    }

    private static KvEvent eventFromArray(MsgpackCursor in) {
        int n = in.readArrayHeader();
        if (n < 1) {
            throw new MalformedKvEventException("event array has no tag");
        }
        expect(in, Kind.STRING, "event tag");
        String tag = in.readString();
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
                in.skipValues(Math.max(0, n - 12));
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
                in.skipValues(Math.max(0, n - 4));
                yield new KvEvent.BlockRemoved(hashes, medium, groupIdx);
            }
            case "AllBlocksCleared" -> {
                String medium = n > 1 ? readNullableString(in, "medium") : null;
                in.skipValues(Math.max(0, n - 2));
                yield new KvEvent.AllBlocksCleared(medium);
            }
            default -> {
                in.skipValues(n - 1); // an event type newer than this decoder: not ours to interpret
                yield null;
            }
        };
        return event;
    }

    private static KvEvent eventFromMap(MsgpackCursor in) {
        int n = in.readMapHeader();
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
                    expect(in, Kind.STRING, "type");
                    tag = in.readString();
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
                default -> in.skipValues(1);
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

    private static long[] readHashes(MsgpackCursor in, String field) {
        expect(in, Kind.ARRAY, field);
        int n = in.readArrayHeader();
        long[] hashes = new long[n];
        for (int i = 0; i < n; i++) {
            hashes[i] = readHash(in, field);
        }
        return hashes;
    }

    private static Long readNullableHash(MsgpackCursor in, String field) {
        if (in.tryNil()) {
            return null;
        }
        return readHash(in, field);
    }

    /** uint64 (kept as the same 64 bits), int64, or bytes (last 8 bytes, big-endian). */
    private static long readHash(MsgpackCursor in, String field) {
        return switch (in.peekKind()) {
            case INTEGER -> in.readLongBits();
            case BINARY -> in.readBigEndianTail(in.readBinaryHeader());
            default -> throw new MalformedKvEventException(
                    field + " must hold integers or bytes, got " + in.peekKind());
        };
    }

    private static int[] readInts(MsgpackCursor in, String field) {
        expect(in, Kind.ARRAY, field);
        int[] values = new int[in.readArrayHeader()];
        // Token ids are most of a payload: no per-element format peek; a non-integer still fails as malformed.
        in.readInts(values);
        return values;
    }

    private static int readInt(MsgpackCursor in, String field) {
        expect(in, Kind.INTEGER, field);
        return in.readInt();
    }

    private static Integer readNullableInt(MsgpackCursor in, String field) {
        return in.tryNil() ? null : readInt(in, field);
    }

    private static String readNullableString(MsgpackCursor in, String field) {
        if (in.tryNil()) {
            return null;
        }
        expect(in, Kind.STRING, field);
        return in.readString();
    }

    private static double readNumber(MsgpackCursor in, String field) {
        return switch (in.peekKind()) {
            case FLOAT -> in.readDouble();
            case INTEGER -> in.readLong();
            default -> throw new MalformedKvEventException(field + " must be a number");
        };
    }

    private static String readKey(MsgpackCursor in) {
        expect(in, Kind.STRING, "map key");
        return in.readString();
    }

    private static List<List<Object>> readExtraKeys(MsgpackCursor in) {
        if (in.tryNil()) {
            return null;
        }
        expect(in, Kind.ARRAY, "extra_keys");
        int n = in.readArrayHeader();
        List<List<Object>> perBlock = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (in.tryNil()) {
                perBlock.add(null);
                continue;
            }
            expect(in, Kind.ARRAY, "extra_keys[" + i + "]");
            perBlock.add(readList(in, 1));
        }
        return Collections.unmodifiableList(perBlock);
    }

    /** Nesting allowed inside one block's extra keys: deeper payloads are hostile, not vLLM's. */
    private static final int MAX_EXTRA_KEY_DEPTH = 8;

    private static List<Object> readList(MsgpackCursor in, int depth) {
        if (depth > MAX_EXTRA_KEY_DEPTH) {
            throw new MalformedKvEventException("extra_keys nest deeper than " + MAX_EXTRA_KEY_DEPTH + " levels");
        }
        int n = in.readArrayHeader();
        List<Object> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            values.add(readAny(in, depth));
        }
        return Collections.unmodifiableList(values);
    }

    private static Object readAny(MsgpackCursor in, int depth) {
        return switch (in.peekKind()) {
            case NIL -> {
                in.tryNil();
                yield null;
            }
            case BOOLEAN -> in.readBoolean();
            case INTEGER -> in.readLongBits();
            case FLOAT -> in.readDouble();
            case STRING -> in.readString();
            case BINARY -> in.readBytes(in.readBinaryHeader());
            case ARRAY -> readList(in, depth + 1);
            default -> throw new MalformedKvEventException("extra_keys hold unsupported " + in.peekKind());
        };
    }

    private static void expect(MsgpackCursor in, Kind type, String field) {
        Kind actual = in.peekKind();
        if (actual != type) {
            throw new MalformedKvEventException(field + " must be " + type + ", got " + actual);
        }
    }
}
