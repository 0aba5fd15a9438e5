package dev.jetway.kvcache.tokenize;

/**
 * Turns prompt text into the token ids an engine would see.
 *
 * <p>Prefix-cache routing is only as good as the agreement between the router's token ids and the engine's:
 * a different tokenizer, chat template or BOS handling silently turns cache-aware routing into load balancing.
 */
public interface Tokenizer {

    /** Stable name, shown in configs, logs and the hash-parity warning. */
    String name();

    /** Token ids of {@code text}, exactly as the engine would tokenize it. */
    int[] encode(String text);

    /** Number of tokens in {@code text}; may be cheaper than {@code encode(text).length}. */
    default int count(String text) {
        return encode(text).length;
    }
}
