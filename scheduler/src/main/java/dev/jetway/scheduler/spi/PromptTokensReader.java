package dev.jetway.scheduler.spi;

/**
 * Marks plugins that read {@link PromptTokens}; the config loader adds a {@code token-producer} (estimate backend)
 * when a pipeline has such a plugin and no token producer, as llm-d does.
 */
public interface PromptTokensReader {
}
