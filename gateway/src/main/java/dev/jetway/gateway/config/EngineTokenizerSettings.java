package dev.jetway.gateway.config;

import java.time.Duration;

/**
 * Settings of {@code tokenizer: engine}: the gateway asks a model server's {@code POST /tokenize} (vLLM and
 * {@code jetway sim} serve it; chat requests go as {@code messages}, so the server applies its own chat template),
 * so routing blocks are exactly the engine's.
 *
 * @param url       the model server to ask (default: the pool's first endpoint)
 * @param model     model name sent with each call (default: the pool's only model)
 * @param timeout   per call (500ms); on failure the request is routed with the estimate, without engine tokens, and
 *                  the tokenizer backs off (1 s, doubling to 30 s) before it asks the server again
 * @param cacheSize prompts remembered at most (10000)
 * @param cacheBytes memory the remembered token ids may take at most (64 MiB)
 */
public record EngineTokenizerSettings(String url, String model, Duration timeout, Integer cacheSize, Long cacheBytes) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);
    public static final long DEFAULT_CACHE_BYTES = 64L * 1024 * 1024;

    public EngineTokenizerSettings {
        if (url != null && !url.startsWith("http://") && !url.startsWith("https://")) {
            throw new IllegalArgumentException("engineTokenizer.url must be an http:// or https:// URL, got " + url);
        }
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        cacheSize = cacheSize == null ? 10_000 : cacheSize;
        cacheBytes = cacheBytes == null ? DEFAULT_CACHE_BYTES : cacheBytes;
        ConfigChecks.positive("engineTokenizer.timeout", timeout);
        ConfigChecks.positive("engineTokenizer.cacheSize", cacheSize);
        if (cacheBytes < 1024 * 1024) {
            throw new IllegalArgumentException("engineTokenizer.cacheBytes must be at least 1048576 (1 MiB), got "
                    + cacheBytes);
        }
    }

    public static EngineTokenizerSettings defaults() {
        return new EngineTokenizerSettings(null, null, null, null, null);
    }
}
