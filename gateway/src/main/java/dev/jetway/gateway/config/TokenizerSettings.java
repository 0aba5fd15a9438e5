package dev.jetway.gateway.config;

import java.time.Duration;
import java.util.List;

/**
 * How the gateway turns a pool's prompts into token ids for prefix-aware routing. The ids must be the ones the model
 * servers cache, or precise routing silently degrades (watch {@code jetway_kv_hash_parity_ratio}).
 *
 * @param type      {@code jetway-simple-v1} (default: {@code jetway sim}'s tokenizer and chat template) or
 *                  {@code engine} (ask a model server's {@code POST /tokenize}; chat requests as {@code messages}, so
 *                  the server applies its own chat template)
 * @param url       for {@code engine}: the model server to ask (default: the pool's first endpoint)
 * @param model     for {@code engine}: model name sent with each call (default: the pool's only model)
 * @param timeout   for {@code engine}: per call; on failure the request is routed without engine tokens
 * @param cacheSize for {@code engine}: prompts remembered
 */
public record TokenizerSettings(String type, String url, String model, Duration timeout, Integer cacheSize) {

    public static final String SIMPLE = "jetway-simple-v1";
    public static final String ENGINE = "engine";

    public TokenizerSettings {
        type = type == null ? SIMPLE : type;
        if (!List.of(SIMPLE, ENGINE).contains(type)) {
            throw new IllegalArgumentException("tokenizer.type must be " + SIMPLE + " or " + ENGINE + ", got " + type);
        }
        if (url != null && !url.startsWith("http://") && !url.startsWith("https://")) {
            throw new IllegalArgumentException("tokenizer.url must be an http:// or https:// URL, got " + url);
        }
        timeout = timeout == null ? Duration.ofSeconds(2) : timeout;
        cacheSize = cacheSize == null ? 10_000 : cacheSize;
        ConfigChecks.positive("tokenizer.timeout", timeout);
        ConfigChecks.positive("tokenizer.cacheSize", cacheSize);
    }

    public static TokenizerSettings defaults() {
        return new TokenizerSettings(null, null, null, null, null);
    }
}
