package dev.jetway.gateway.config;

import java.time.Duration;

/**
 * Settings of {@code tokenizer: engine}: the gateway asks a model server's {@code POST /tokenize} (vLLM and
 * {@code jetway sim} serve it; chat requests go as {@code messages}, so the server applies its own chat template),
 * so routing blocks are exactly the engine's.
 *
 * @param url       the model server to ask (default: the pool's first endpoint)
 * @param model     model name sent with each call (default: the pool's only model)
 * @param timeout   per call (2s); on failure the request is routed without engine tokens
 * @param cacheSize prompts remembered (10000)
 */
public record EngineTokenizerSettings(String url, String model, Duration timeout, Integer cacheSize) {

    public EngineTokenizerSettings {
        if (url != null && !url.startsWith("http://") && !url.startsWith("https://")) {
            throw new IllegalArgumentException("engineTokenizer.url must be an http:// or https:// URL, got " + url);
        }
        timeout = timeout == null ? Duration.ofSeconds(2) : timeout;
        cacheSize = cacheSize == null ? 10_000 : cacheSize;
        ConfigChecks.positive("engineTokenizer.timeout", timeout);
        ConfigChecks.positive("engineTokenizer.cacheSize", cacheSize);
    }

    public static EngineTokenizerSettings defaults() {
        return new EngineTokenizerSettings(null, null, null, null);
    }
}
