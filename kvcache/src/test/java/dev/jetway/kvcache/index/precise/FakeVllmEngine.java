package dev.jetway.kvcache.index.precise;

import dev.jetway.kvcache.event.KvEvent;
import dev.jetway.kvcache.event.KvEventBatch;
import dev.jetway.kvcache.event.KvEventEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.openhft.hashing.LongHashFunction;

/**
 * Emits KV events the way vLLM's prefix cache does, with its own block hashes (deliberately not Jetway's): a prompt
 * stores only the full blocks not already cached, with the parent of the first new block; the salt goes into block
 * 0's extra keys. Also numbers messages like a ZMQ publisher.
 */
final class FakeVllmEngine {

    private final int blockSize;
    private final Map<String, Long> hashOfPrefix = new HashMap<>();
    private long seq;

    FakeVllmEngine(int blockSize) {
        this.blockSize = blockSize;
    }

    /** The BlockStored event for the uncached full blocks of the prompt, or null if all are cached. */
    KvEvent.BlockStored store(int[] tokens, String loraName, String salt, String medium) {
        int blocks = tokens.length / blockSize;
        Long parent = null;
        int first = 0;
        while (first < blocks && hashOfPrefix.containsKey(prefixId(tokens, first, loraName, salt))) {
            parent = hashOfPrefix.get(prefixId(tokens, first, loraName, salt));
            first++;
        }
        if (first == blocks) {
            return null;
        }
        long[] hashes = new long[blocks - first];
        long h = parent == null ? 0x5eed : parent;
        for (int b = first; b < blocks; b++) {
            h = LongHashFunction.xx3(h ^ (salt == null ? 0 : salt.hashCode())).hashInts(tokens, b * blockSize, blockSize)
                    | Long.MIN_VALUE; // every engine hash >= 2^63: exercises the unsigned path
            hashes[b - first] = h;
            hashOfPrefix.put(prefixId(tokens, b, loraName, salt), h);
        }
        List<List<Object>> extra = null;
        if (first == 0 && salt != null) {
            extra = new ArrayList<>();
            extra.add(loraName == null ? List.of(salt) : List.of(loraName, salt));
            for (int b = 1; b < hashes.length; b++) {
                extra.add(null);
            }
        }
        return new KvEvent.BlockStored(hashes, parent, Arrays.copyOfRange(tokens, first * blockSize,
                blocks * blockSize), blockSize, null, medium, loraName, extra, null, null, null);
    }

    KvEvent.BlockStored store(int[] tokens) {
        return store(tokens, null, null, null);
    }

    /** Engine hashes of the prompt's cached full blocks. */
    long[] hashesOf(int[] tokens) {
        int blocks = tokens.length / blockSize;
        long[] hashes = new long[blocks];
        for (int b = 0; b < blocks; b++) {
            hashes[b] = hashOfPrefix.get(prefixId(tokens, b, null, null));
        }
        return hashes;
    }

    /** Engine hashes of the prompt's leading full blocks that are cached. */
    long[] hashesOfCached(int[] tokens) {
        int blocks = tokens.length / blockSize;
        int n = 0;
        while (n < blocks && hashOfPrefix.containsKey(prefixId(tokens, n, null, null))) {
            n++;
        }
        long[] hashes = new long[n];
        for (int b = 0; b < n; b++) {
            hashes[b] = hashOfPrefix.get(prefixId(tokens, b, null, null));
        }
        return hashes;
    }

    /** Next message payload of this publisher and its sequence number. */
    Message publish(KvEvent... events) {
        return new Message(seq++, KvEventEncoder.encode(new KvEventBatch(1.0, List.of(events), null)));
    }

    void restartPublisher() {
        seq = 0;
    }

    void skip(int messages) {
        seq += messages;
    }

    record Message(long seq, byte[] payload) {
    }

    private String prefixId(int[] tokens, int block, String lora, String salt) {
        return lora + "|" + salt + "|" + Arrays.toString(Arrays.copyOf(tokens, (block + 1) * blockSize));
    }
}
