package dev.jetway.engine;

import java.util.Objects;

/**
 * One generation request as the engine sees it: token ids in, a number of tokens out.
 *
 * @param id              unique within the engine
 * @param promptTokens    prompt token ids (already templated for chat); not copied, do not mutate
 * @param maxTokens       tokens to generate at most (>= 1)
 * @param minTokens       tokens to generate at least before EOS may end the request
 * @param ignoreEos       generate exactly {@code maxTokens}; otherwise the model picks an EOS point in
 *                        {@code [minTokens, maxTokens]} deterministically from the seed and id
 * @param loraName        LoRA adapter, or null for the base model (part of the block hash, like vLLM)
 * @param cacheSalt       cache salt, or null (hashed into block 0, like vLLM)
 * @param kvTransfer      P/D role of this run, or {@link KvTransfer#NONE}
 * @param priority        vLLM's request {@code priority}: with {@link SchedulingPolicy#PRIORITY} a lower value is
 *                        served first (the opposite of an InferenceObjective's priority); 0 by default
 */
public record EngineRequest(String id, int[] promptTokens, int maxTokens, int minTokens, boolean ignoreEos,
                            String loraName, String cacheSalt, KvTransfer kvTransfer, int priority) {

    public EngineRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(promptTokens, "promptTokens");
        Objects.requireNonNull(kvTransfer, "kvTransfer");
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1: " + maxTokens);
        }
        if (minTokens < 0 || minTokens > maxTokens) {
            throw new IllegalArgumentException("minTokens must be in [0, maxTokens]: " + minTokens);
        }
    }

    /** A request of priority 0. */
    public EngineRequest(String id, int[] promptTokens, int maxTokens, int minTokens, boolean ignoreEos,
                         String loraName, String cacheSalt, KvTransfer kvTransfer) {
        this(id, promptTokens, maxTokens, minTokens, ignoreEos, loraName, cacheSalt, kvTransfer, 0);
    }

    /** This request with vLLM's {@code priority} (lower is served first under the priority policy). */
    public EngineRequest withPriority(int value) {
        return new EngineRequest(id, promptTokens, maxTokens, minTokens, ignoreEos, loraName, cacheSalt, kvTransfer,
                value);
    }

    /** A plain aggregated request generating exactly {@code maxTokens}. */
    public static EngineRequest of(String id, int[] promptTokens, int maxTokens) {
        return new EngineRequest(id, promptTokens, maxTokens, 0, true, null, null, KvTransfer.NONE);
    }
}
