package dev.jetway.scheduler.spi;

import dev.jetway.kvcache.tokenize.Tokenizer;
import java.time.Duration;

/**
 * Tokenizers that ask a model server (the scheduler does no I/O itself; the gateway provides this). Used by the
 * {@code token-producer}'s {@code vllm} backend.
 */
@FunctionalInterface
public interface EngineTokenizers {

    /**
     * A tokenizer calling the model server at {@code baseUrl} (its {@code /tokenize} endpoint) for {@code model},
     * giving up after {@code timeout}.
     */
    Tokenizer remote(String baseUrl, String model, Duration timeout);
}
