package dev.jetway.scheduler.spi;

/**
 * The request's prompt as tokens, as the {@code token-producer} computed them.
 *
 * @param ids       token ids (pseudo-tokens when {@code estimated}); never mutated
 * @param estimated true for llm-d's {@code estimate} backend: 4 UTF-8 bytes per pseudo-token, ids that do not match
 *                  the engine's (fine for routing-history matching, useless for KV events)
 * @param backend   which backend produced them ({@code estimate}, {@code request} for caller-supplied ids, or a
 *                  tokenizer name)
 */
public record PromptTokens(int[] ids, boolean estimated, String backend) {

    public static final AttributeKey<PromptTokens> KEY = AttributeKey.of("prompt-tokens", PromptTokens.class);

    public int count() {
        return ids.length;
    }
}
