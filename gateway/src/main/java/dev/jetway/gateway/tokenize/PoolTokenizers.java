package dev.jetway.gateway.tokenize;

import dev.jetway.gateway.config.PoolConfig;
import dev.jetway.gateway.config.EngineTokenizerSettings;
import dev.jetway.gateway.config.HuggingFaceSettings;
import java.nio.file.Path;
import dev.jetway.kvcache.tokenize.SimpleWordTokenizer;
import dev.jetway.kvcache.tokenize.Tokenizer;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tokenizer of each pool, from its {@code tokenizer} settings; remote ones are kept across config reloads while
 * their settings stay the same, so their caches survive.
 */
public final class PoolTokenizers implements AutoCloseable {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<RemoteKey, RemoteTokenizer> remote = new ConcurrentHashMap<>();
    private final Map<String, HuggingFaceTokenizer> local = new ConcurrentHashMap<>();

    /** A remote tokenizer's settings and the client it calls with (a TLS pool's own, replaced when its tls changes). */
    private record RemoteKey(String settings, HttpClient client) {
    }

    /**
     * The tokenizer {@code choice} names for {@code pool}, or null for {@code estimate} (the scheduler's token
     * producer estimates).
     */
    public Tokenizer of(PoolConfig pool, TokenizerChoice choice, Path baseDir) {
        return of(pool, choice, baseDir, null);
    }

    /**
     * As {@link #of(PoolConfig, TokenizerChoice, Path)}; {@code tlsClient}: for a pool with {@code tls}, the client
     * that speaks HTTPS to its model servers (CA, server name, client certificate): {@code /tokenize} is asked over
     * HTTPS with it, as requests and scrapes are.
     */
    public Tokenizer of(PoolConfig pool, TokenizerChoice choice, Path baseDir, HttpClient tlsClient) {
        String tokenizer = choice.tokenizer();
        if (tokenizer.equals(PoolConfig.ESTIMATE_TOKENIZER)) {
            return null;
        }
        if (tokenizer.equals(PoolConfig.HUGGING_FACE_TOKENIZER)) {
            return local.computeIfAbsent(pool.name() + '\u0000' + baseDir + '\u0000' + pool.huggingFace(),
                    k -> HuggingFaceTokenizer.load(pool.huggingFace() == null
                            ? new HuggingFaceSettings(null, null, null, null, null) : pool.huggingFace(), baseDir));
        }
        if (!tokenizer.equals(PoolConfig.ENGINE_TOKENIZER)) {
            return SimpleWordTokenizer.instance();
        }
        EngineTokenizerSettings t = pool.engineTokenizer();
        String url = t.url();
        if (url == null) {
            if (pool.endpoints().isEmpty()) {
                throw new IllegalArgumentException("pool " + pool.name() + ": tokenizer engine needs "
                        + "engineTokenizer.url or at least one endpoint");
            }
            url = (tlsClient == null ? "http://" : "https://") + pool.endpoints().getFirst().address();
        }
        HttpClient client = tlsClient != null && url.startsWith("https://") ? tlsClient : http;
        String model = t.model() != null ? t.model() : pool.models().size() == 1 ? pool.models().getFirst() : null;
        TokenizeApi api = TokenizeApi.forEngine(pool.engine());
        RemoteKey key = new RemoteKey(pool.name() + '\u0000' + url + '\u0000' + model + '\u0000' + t + '\u0000' + api,
                client);
        String finalUrl = url;
        if (!remote.containsKey(key)) {
            // the pool's tls changed: the tokenizer of its old (closed) client goes
            remote.keySet().removeIf(k -> k.settings().equals(key.settings()));
        }
        return remote.computeIfAbsent(key, k -> new RemoteTokenizer(finalUrl, model, t.timeout(), t.cacheSize(),
                t.cacheBytes(), client, api));
    }

    /** What the engine tokenizers' caches weigh now, in bytes. */
    public long cacheWeight() {
        return remote.values().stream().mapToLong(RemoteTokenizer::cacheWeight).sum();
    }

    @Override
    public void close() {
        http.close();
        local.values().forEach(HuggingFaceTokenizer::close);
    }
}
