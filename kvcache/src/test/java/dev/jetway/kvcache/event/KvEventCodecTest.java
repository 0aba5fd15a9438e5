package dev.jetway.kvcache.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KvEventCodecTest {

    /** ts 1.5 as msgpack float64. */
    private static final String TS = "cb 3ff8000000000000";

    @Test
    void decodesThePositionalFormWithUint64AboveTwoToThe63NilParentAndOmittedTrailingFields() {
        byte[] payload = WireBytes.of()
                .hex("93").hex(TS).hex("93")
                // ["BlockStored", [2^64-2, 42], nil, [1,2,3,4], 2, nil, "GPU"]  (7 fields: lora_name.. omitted)
                .hex("97").str("BlockStored").hex("92 cf fffffffffffffffe 2a").hex("c0").hex("94 01 02 03 04")
                .hex("02 c0").str("GPU")
                // ["BlockRemoved", [int64 -5], "CPU"]
                .hex("93").str("BlockRemoved").hex("91 d3 fffffffffffffffb").str("CPU")
                // ["AllBlocksCleared"]
                .hex("91").str("AllBlocksCleared")
                .hex("00") // dp rank 0
                .bytes();

        KvEventBatch batch = KvEventDecoder.decode(payload);

        assertThat(batch.ts()).isEqualTo(1.5);
        assertThat(batch.dpRank()).isZero();
        assertThat(batch.events()).hasSize(3);
        KvEvent.BlockStored stored = (KvEvent.BlockStored) batch.events().get(0);
        assertThat(stored.blockHashes()).containsExactly(-2L, 42L);
        assertThat(Long.toUnsignedString(stored.blockHashes()[0])).isEqualTo("18446744073709551614");
        assertThat(stored.parentBlockHash()).isNull();
        assertThat(stored.tokenIds()).containsExactly(1, 2, 3, 4);
        assertThat(stored.blockSize()).isEqualTo(2);
        assertThat(stored.loraId()).isNull();
        assertThat(stored.medium()).isEqualTo("GPU");
        assertThat(stored.loraName()).isNull();
        assertThat(stored.extraKeys()).isNull();
        assertThat(stored.groupIdx()).isNull();
        KvEvent.BlockRemoved removed = (KvEvent.BlockRemoved) batch.events().get(1);
        assertThat(removed.blockHashes()).containsExactly(-5L);
        assertThat(removed.medium()).isEqualTo("CPU");
        assertThat(batch.events().get(2)).isEqualTo(new KvEvent.AllBlocksCleared());
    }

    @Test
    void decodesSglangsBatchesWhichHaveNoDpRankMediumOrLoraName() {
        // SGLang's kv_events.py: EventBatch [ts, events] (a DP rank publishes on its own port instead), BlockStored
        // [tag, block_hashes, parent_block_hash, token_ids, block_size, lora_id], BlockRemoved [tag, block_hashes]
        byte[] payload = WireBytes.of()
                .hex("92").hex(TS).hex("93")
                .hex("96").str("BlockStored").hex("91 cf 8000000000000001").hex("2a").hex("91 07").hex("01").hex("c0")
                .hex("92").str("BlockRemoved").hex("91 2a")
                .hex("91").str("AllBlocksCleared")
                .bytes();

        KvEventBatch batch = KvEventDecoder.decode(payload);

        assertThat(batch.events()).hasSize(3);
        KvEvent.BlockStored stored = (KvEvent.BlockStored) batch.events().get(0);
        assertThat(stored.parentBlockHash()).isEqualTo(42L);
        assertThat(stored.tokenIds()).containsExactly(7);
        assertThat(stored.blockSize()).isEqualTo(1); // SGLang's default page size: one block per token
        assertThat(stored.medium()).isNull();
        assertThat(stored.loraName()).isNull();
        assertThat(((KvEvent.BlockRemoved) batch.events().get(1)).blockHashes()).containsExactly(42L);
        assertThat(batch.events().get(2)).isEqualTo(new KvEvent.AllBlocksCleared());
    }

    @Test
    void decodesBytesHashesByTheirLastEightBytesBigEndian() {
        String sha256 = "00112233445566778899aabbccddeeff" + "0011223344556677" + "8899aabbccddeeff";
        byte[] payload = WireBytes.of()
                .hex("92").hex(TS).hex("91")
                .hex("95").str("BlockStored")
                .hex("91 c4 20").hex(sha256)           // one 32-byte hash
                .hex("c4 08 0000000000000007")         // parent as 8 bytes
                .hex("92 05 06 02")
                .bytes();

        KvEvent.BlockStored stored = (KvEvent.BlockStored) KvEventDecoder.decode(payload).events().getFirst();

        assertThat(stored.blockHashes()).containsExactly(0x8899aabbccddeeffL);
        assertThat(stored.parentBlockHash()).isEqualTo(7L);
        assertThat(stored.loraId()).isNull();
        assertThat(stored.medium()).as("omitted medium").isNull();
    }

    @Test
    void decodesTheMapFormIncludingUnknownKeys() {
        byte[] payload = WireBytes.of()
                .hex("93").hex(TS).hex("92")
                // {"type":"BlockStored","block_hashes":[256],"parent_block_hash":null,"token_ids":[7,8],
                //  "block_size":2,"lora_name":"sql-lora","future":true}
                .hex("87").str("type").str("BlockStored")
                .str("block_hashes").hex("91 cd 0100")
                .str("parent_block_hash").hex("c0")
                .str("token_ids").hex("92 07 08")
                .str("block_size").hex("02")
                .str("lora_name").str("sql-lora")
                .str("future").hex("c3")
                // {"type":"BlockRemoved","block_hashes":[uint64 2^63],"medium":"GPU"}
                .hex("83").str("type").str("BlockRemoved")
                .str("block_hashes").hex("91 cf 8000000000000000")
                .str("medium").str("GPU")
                .hex("c0")
                .bytes();

        KvEventBatch batch = KvEventDecoder.decode(payload);

        assertThat(batch.dpRank()).isNull();
        KvEvent.BlockStored stored = (KvEvent.BlockStored) batch.events().get(0);
        assertThat(stored.blockHashes()).containsExactly(256L);
        assertThat(stored.parentBlockHash()).isNull();
        assertThat(stored.tokenIds()).containsExactly(7, 8);
        assertThat(stored.loraName()).isEqualTo("sql-lora");
        KvEvent.BlockRemoved removed = (KvEvent.BlockRemoved) batch.events().get(1);
        assertThat(removed.blockHashes()).containsExactly(Long.MIN_VALUE);
        assertThat(removed.medium()).isEqualTo("GPU");
    }

    @Test
    void decodesAllTwelveFieldsAndSkipsUnknownTrailingFieldsAndUnknownEventTypes() {
        byte[] payload = WireBytes.of()
                .hex("93").hex(TS).hex("93")
                .hex("9e").str("BlockStored").hex("91 01").hex("05").hex("92 09 0a").hex("02")
                .hex("03").str("CPU").str("lora-a")
                .hex("91 92").str("lora-a").str("salt-1")   // extra_keys: [["lora-a","salt-1"]]
                .hex("01").str("sliding_window").hex("cd 1000")
                .hex("c3").str("newer")                      // two fields a newer vLLM might add
                .hex("92").str("KvCacheMetrics").hex("07")   // an event type this decoder does not know
                .hex("92").str("AllBlocksCleared").str("GPU")
                .hex("02")
                .bytes();

        KvEventBatch batch = KvEventDecoder.decode(payload);

        assertThat(batch.events()).hasSize(2);
        KvEvent.BlockStored s = (KvEvent.BlockStored) batch.events().get(0);
        assertThat(s.parentBlockHash()).isEqualTo(5L);
        assertThat(s.loraId()).isEqualTo(3);
        assertThat(s.medium()).isEqualTo("CPU");
        assertThat(s.loraName()).isEqualTo("lora-a");
        assertThat(s.extraKeys()).containsExactly(List.of("lora-a", "salt-1"));
        assertThat(s.groupIdx()).isEqualTo(1);
        assertThat(s.kvCacheSpecKind()).isEqualTo("sliding_window");
        assertThat(s.kvCacheSpecSlidingWindow()).isEqualTo(4096);
        assertThat(batch.events().get(1)).isEqualTo(new KvEvent.AllBlocksCleared("GPU"));
        assertThat(batch.dpRank()).isEqualTo(2);
    }

    @Test
    void encoderWritesVllmsDefaultPositionalFormByteForByte() {
        KvEventBatch batch = new KvEventBatch(1.5, List.of(
                new KvEvent.BlockStored(new long[] {-2L, 42L}, null, new int[] {1, 2, 3, 4}, 2, null, null, null),
                new KvEvent.BlockStored(new long[] {300L}, -2L, new int[] {5, 6}, 2, null, null, null),
                new KvEvent.BlockRemoved(new long[] {42L}, null),
                new KvEvent.AllBlocksCleared()), null);

        byte[] expected = WireBytes.of()
                .hex("93").hex(TS).hex("94")
                .hex("98").str("BlockStored").hex("92 cf fffffffffffffffe 2a c0 94 01 02 03 04 02 c0").str("GPU")
                .hex("c0")
                .hex("98").str("BlockStored").hex("91 cd 012c cf fffffffffffffffe 92 05 06 02 c0").str("GPU")
                .hex("c0")
                .hex("93").str("BlockRemoved").hex("91 2a").str("GPU")
                .hex("91").str("AllBlocksCleared")
                .hex("c0")
                .bytes();

        assertThat(KvEventEncoder.encode(batch)).isEqualTo(expected);
    }

    @Test
    void encodeThenDecodeKeepsEveryField() {
        KvEventBatch batch = new KvEventBatch(1_700_000_000.25, List.of(
                new KvEvent.BlockStored(new long[] {Long.MIN_VALUE, -1L, 0L}, Long.MAX_VALUE,
                        new int[] {1, 2, 3, 4, 5, 6}, 2, 7, "CPU", "lora-x",
                        Arrays.asList(List.of("lora-x", "salt"), null, List.of(-3L)), 0, "full", null),
                new KvEvent.BlockRemoved(new long[] {1L}, "CPU", 3),
                new KvEvent.AllBlocksCleared("GPU")), 1);

        KvEventBatch decoded = KvEventDecoder.decode(KvEventEncoder.encode(batch));

        assertThat(decoded).usingRecursiveComparison().isEqualTo(batch);
    }

    @Test
    void tokenIdsDecodeFromEveryIntegerWidthMsgpackAllows() {
        byte[] payload = WireBytes.of()
                .hex("92").hex(TS).hex("91")
                .hex("95").str("BlockStored").hex("91 01").hex("c0")
                .hex("dc 000a") // array16 of 10: fixint, uint8, uint16, uint32, int8, int16, int32, int64, uint64, -fixint
                .hex("05 cc c8 cd ea60 ce 000249f0 d0 fd d1 fed4 d2 fffeee90 d3 0000000000000007")
                .hex("cf 0000000000000008 ff")
                .hex("01")
                .bytes();

        KvEvent.BlockStored stored = (KvEvent.BlockStored) KvEventDecoder.decode(payload).events().getFirst();

        assertThat(stored.tokenIds()).containsExactly(5, 200, 60_000, 150_000, -3, -300, -70_000, 7, 8, -1);
    }

    @Test
    void unknownFieldsOfAnyShapeAreSkipped() {
        byte[] payload = WireBytes.of()
                .hex("92").hex(TS).hex("91")
                // {"type":"BlockRemoved","future":{"a":[1, 2.5 as float32, fixext4], "b": ext8},"block_hashes":[9]}
                .hex("83").str("type").str("BlockRemoved")
                .str("future").hex("82").str("a").hex("93 01 ca 40200000 d6 01 00000000").str("b").hex("c7 02 05 aabb")
                .str("block_hashes").hex("91 09")
                .bytes();

        KvEvent.BlockRemoved removed = (KvEvent.BlockRemoved) KvEventDecoder.decode(payload).events().getFirst();

        assertThat(removed.blockHashes()).containsExactly(9L);
    }

    @Test
    void integersBeyondTheFieldsRangeAndHeadersLongerThanThePayloadAreMalformed() {
        String storedHead = "91 95";
        // a token id of 2^31 (uint32), once where the fast path reads it and once among the last bytes
        assertMalformed(WireBytes.of().hex("92").hex(TS).hex(storedHead).str("BlockStored").hex("91 01 c0")
                .hex("94 ce 80000000 01 01 01 01").bytes(), "does not fit an int");
        assertMalformed(WireBytes.of().hex("92").hex(TS).hex(storedHead).str("BlockStored").hex("91 01 c0")
                .hex("91 ce 80000000").bytes(), "does not fit an int");
        // 4 billion hashes announced in a few bytes: rejected before any array is allocated
        assertMalformed(WireBytes.of().hex("92").hex(TS).hex(storedHead).str("BlockStored")
                .hex("dd ffffffff 01").bytes(), "truncated");
        assertMalformed(WireBytes.of().hex("92").hex(TS).hex(storedHead).str("BlockStored").hex("91 01 c0")
                .hex("dd 7fffffff 01").bytes(), "truncated");
        // extra keys nested 100,000 deep: a clear error, not a stack overflow
        assertMalformed(WireBytes.of().hex("92").hex(TS).hex("91 99").str("BlockStored").hex("91 01 c0 91 01 01 c0")
                .str("GPU").hex("c0").hex("91".repeat(100_000)).hex("90").bytes(), "nest deeper");
    }

    @Test
    void malformedPayloadsRaiseAClearExceptionAndNothingElse() {
        assertMalformed(new byte[0], "empty");
        assertMalformed(WireBytes.of().hex("a3").str("abc").bytes(), "array or a map");
        assertMalformed(WireBytes.of().hex("91").hex(TS).bytes(), "at least 2 elements");
        assertMalformed(WireBytes.of().hex("92").str("ts").hex("90").bytes(), "ts must be a number");
        assertMalformed(WireBytes.of().hex("92").hex(TS).hex("91 93").str("BlockStored").hex("90 c0").bytes(),
                "at least 5 fields");
        assertMalformed(WireBytes.of().hex("92").hex(TS).hex("91 95").str("BlockStored")
                .hex("91").str("x").hex("c0 90 10").bytes(), "block_hashes must hold integers or bytes");
        assertMalformed(WireBytes.of().hex("92").hex(TS).hex("91 81").str("block_hashes").hex("90").bytes(),
                "no 'type'");
        assertMalformed(WireBytes.of().hex("92").hex(TS).hex("90 00").bytes(), "trailing bytes");
        assertMalformed(WireBytes.of().hex("92").hex(TS).hex("91 95").str("BlockStored")
                .hex("91 01 c0 92 01").str("x").hex("02").bytes(), "malformed KV-event payload");
        byte[] truncated = Arrays.copyOf(KvEventEncoder.encode(new KvEventBatch(1, List.of(
                new KvEvent.BlockStored(new long[] {1}, null, new int[] {1, 2}, 2, null, null, null)), null)), 20);
        assertMalformed(truncated, "malformed KV-event payload");
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButMalformed() {
        SplittableRandom random = new SplittableRandom(7);
        byte[] valid = KvEventEncoder.encode(new KvEventBatch(2, List.of(
                new KvEvent.BlockStored(new long[] {1, -1}, 9L, new int[] {1, 2, 3, 4}, 2, null, null, "l"),
                new KvEvent.BlockRemoved(new long[] {1}, null)), 0));
        for (int i = 0; i < 5_000; i++) {
            byte[] mutated = valid.clone();
            for (int m = 0; m < 1 + random.nextInt(3); m++) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            }
            try {
                KvEventDecoder.decode(mutated);
            } catch (MalformedKvEventException expected) {
                // the only failure a subscriber loop has to handle
            }
        }
    }

    private static void assertMalformed(byte[] payload, String messagePart) {
        assertThatThrownBy(() -> KvEventDecoder.decode(payload))
                .isInstanceOf(MalformedKvEventException.class)
                .hasMessageContaining(messagePart);
    }
}
