package dev.jetway.kvcache.index.precise;

import dev.jetway.kvcache.event.KvEvent;
import dev.jetway.kvcache.key.BlockKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.openhft.hashing.LongHashFunction;

/** How a {@code BlockStored} event's root, salt and extra keys enter Jetway's request keys (the dual-key side). */
final class EventRequestKeys {

    private EventRequestKeys() {
    }

    /** Root of a sequence's first block: the LoRA (else the endpoint's model), salted as vLLM salts block 0. */
    static long rootOf(EndpointState state, KvEvent.BlockStored event) {
        String salt = saltOf(event);
        String lora = event.loraName();
        if (lora == null && salt == null) {
            return state.modelRoot;
        }
        return BlockKeys.root(lora != null ? lora : state.model, salt);
    }

    /**
     * vLLM puts the cache salt among the first block's extra keys, after the LoRA name and multimodal hashes: the
     * last string there that is not the LoRA name.
     */
    static String saltOf(KvEvent.BlockStored event) {
        List<List<Object>> extra = event.extraKeys();
        if (extra == null || extra.isEmpty() || extra.getFirst() == null) {
            return null;
        }
        String salt = null;
        for (Object o : extra.getFirst()) {
            if (o instanceof String s && !s.equals(event.loraName())) {
                salt = s;
            }
        }
        return salt;
    }

    /**
     * Extra keys beyond the LoRA name and the salt (multimodal content hashes) change the engine's hash but not the
     * token ids; folding them in keeps two images behind equal placeholder tokens from sharing a request key.
     */
    static long foldExtraKeys(long key, KvEvent.BlockStored event, int block, boolean sequenceStart) {
        List<List<Object>> extra = event.extraKeys();
        if (extra == null || block >= extra.size() || extra.get(block) == null) {
            return key;
        }
        List<Object> rest = new ArrayList<>(extra.get(block));
        rest.remove(event.loraName());
        if (event.loraId() != null) {
            rest.remove((Object) event.loraId().longValue());
        }
        if (block == 0 && sequenceStart) {
            String salt = saltOf(event);
            if (salt != null) {
                rest.remove(salt);
            }
        }
        if (rest.isEmpty()) {
            return key;
        }
        return LongHashFunction.xx(key).hashBytes(rest.toString().getBytes(StandardCharsets.UTF_8));
    }
}
