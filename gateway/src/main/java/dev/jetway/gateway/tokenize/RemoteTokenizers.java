package dev.jetway.gateway.tokenize;

import dev.jetway.kvcache.tokenize.Tokenizer;
import dev.jetway.scheduler.spi.EngineTokenizers;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's {@link EngineTokenizers}: one {@link RemoteTokenizer} (with its cache) per model-server URL, model
 * and timeout, sharing one HTTP client. Handed to schedulers so the {@code token-producer}'s {@code vllm} backend works.
 */
public final class RemoteTokenizers implements EngineTokenizers, AutoCloseable {

    /** Prompts remembered per remote tokenizer. */
    public static final int CACHE_SIZE = 10_000;
    /** Bytes of token ids remembered per remote tokenizer. */
    public static final long CACHE_BYTES = dev.jetway.gateway.config.EngineTokenizerSettings.DEFAULT_CACHE_BYTES;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, RemoteTokenizer> tokenizers = new ConcurrentHashMap<>();

    @Override
    public Tokenizer remote(String baseUrl, String model, Duration timeout) {
        return tokenizers.computeIfAbsent(baseUrl + '\u0000' + model + '\u0000' + timeout,
                k -> new RemoteTokenizer(baseUrl, model, timeout, CACHE_SIZE, CACHE_BYTES, http));
    }

    /** What the tokenizers' caches weigh now, in bytes. */
    public long cacheWeight() {
        return tokenizers.values().stream().mapToLong(RemoteTokenizer::cacheWeight).sum();
    }

    @Override
    public void close() {
        http.close();
    }
}
