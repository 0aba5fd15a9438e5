package dev.jetway.sim.openai;

import dev.jetway.engine.KvTransfer;

/**
 * A validated completion or chat request, ready for the engine.
 *
 * @param kind         endpoint it came through
 * @param model        {@code model} as the client sent it (echoed in responses)
 * @param loraName     LoRA adapter, or null for the base model
 * @param promptTokens prompt token ids (chat already templated)
 * @param maxTokens    output tokens at most
 * @param minTokens    output tokens at least
 * @param ignoreEos    generate exactly {@code maxTokens}
 * @param stream       answer with server-sent events
 * @param includeUsage {@code stream_options.include_usage}: a final chunk with {@code usage}
 * @param cacheSalt    {@code cache_salt}, or null
 * @param kvTransfer   P/D role from {@code kv_transfer_params}
 * @param priority     vLLM's {@code priority} (lower is served first under {@code --scheduling-policy priority}),
 *                     0 when absent
 */
public record GenerationRequest(ApiKind kind, String model, String loraName, int[] promptTokens, int maxTokens,
                                int minTokens, boolean ignoreEos, boolean stream, boolean includeUsage,
                                String cacheSalt, KvTransfer kvTransfer, int priority) {
}
