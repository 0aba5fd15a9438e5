package dev.jetway.gateway.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.jetway.kvcache.tokenize.Tokenizer;
import dev.jetway.scheduler.ChatMessage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.hashing.LongTupleHashFunction;

/**
 * Tokenizes with the model server itself: {@code POST <baseUrl>/tokenize} in the shape of its engine
 * ({@link TokenizeApi}: vLLM and {@code jetway sim}, SGLang, llama.cpp, TGI), with chat requests rendered by the
 * server's own chat template (vLLM: sent as {@code messages}; llama.cpp: its {@code /apply-template}). The token ids
 * are then exactly what the engine caches. Blocking: call it off the network event loop.
 *
 * <p>Results are cached (system prompts repeat), bounded by memory, not only by count: keyed by a 128-bit hash of the
 * prompt rather than the prompt itself, and weighed by the ids they hold, so thousands of distinct 100 KB prompts
 * cost at most {@code cacheBytes}. The server is no single point of failure for latency either: each call gives up
 * after the timeout, and after a failure the tokenizer backs off (1 s, doubling to 30 s while failures go on), during
 * which calls fail at once without asking the server; the caller then routes with the estimate ({@link
 * RemoteTokens}).
 */
public final class RemoteTokenizer implements Tokenizer, ChatTokenizer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LongTupleHashFunction HASH = LongTupleHashFunction.xx128();
    /** What an entry holds besides its ids: the key, the array header, the cache's node. */
    static final int ENTRY_OVERHEAD_BYTES = 96;
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** Why a call could not tokenize; the {@code reason} of {@code jetway_engine_tokenizer_fallbacks_total}. */
    public enum Failure {
        TIMEOUT("timeout"), ERROR("error"), BACKING_OFF("backing_off");

        private final String label;

        Failure(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A cache key: what was asked (prompt or chat) and a 128-bit hash of it. */
    private record Key(boolean chat, long high, long low) {
    }

    private final URI tokenizeUri;
    private final URI templateUri;
    private final TokenizeApi api;
    private final String model;
    private final Duration timeout;
    private final HttpClient http;
    private final long cacheBytes;
    private final Cache<Key, int[]> cache;
    /** Until when calls fail at once (nanoTime), after a failure; 0 = not backing off. */
    private final AtomicLong backOffUntil = new AtomicLong();
    private final AtomicLong backOffNanos = new AtomicLong();

    /**
     * @param baseUrl    the model server, e.g. {@code http://10.0.0.5:8000}
     * @param model      model name sent with each call (vLLM checks it), or null
     * @param cacheSize  prompts remembered at most
     * @param cacheBytes bytes the cached ids may take at most
     */
    public RemoteTokenizer(String baseUrl, String model, Duration timeout, int cacheSize, long cacheBytes,
                           HttpClient http) {
        this(baseUrl, model, timeout, cacheSize, cacheBytes, http, TokenizeApi.VLLM);
    }

    /** @param api the shape of the server's {@code /tokenize} (its engine's) */
    public RemoteTokenizer(String baseUrl, String model, Duration timeout, int cacheSize, long cacheBytes,
                           HttpClient http, TokenizeApi api) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.tokenizeUri = URI.create(base + "/tokenize");
        this.templateUri = URI.create(base + "/apply-template");
        this.api = api;
        this.model = model;
        this.timeout = timeout;
        this.http = http;
        this.cacheBytes = cacheBytes;
        // every entry weighs at least its share of the count bound, so both bounds hold with one weigher
        long minWeight = Math.max(1, cacheBytes / Math.max(1, cacheSize));
        this.cache = Caffeine.newBuilder()
                .maximumWeight(cacheBytes)
                .weigher((Key k, int[] ids) -> (int) Math.min(Integer.MAX_VALUE,
                        Math.max(minWeight, ENTRY_OVERHEAD_BYTES + 4L * ids.length)))
                // evict on the caller's thread: the bound holds at every moment, not once a pool thread gets to it
                .executor(Runnable::run)
                .build();
    }

    @Override
    public String name() {
        return "engine " + tokenizeUri;
    }

    @Override
    public int[] encode(String text) {
        long[] h = HASH.hashChars(text);
        return cached(new Key(false, h[0], h[1]), () -> ids(post(tokenizeUri, api.textBody(model, text))));
    }

    @Override
    public int[] encodeChat(List<ChatMessage> messages, boolean addGenerationPrompt) {
        ObjectNode body = body();
        ArrayNode list = body.putArray("messages");
        for (ChatMessage m : messages) {
            list.addObject().put("role", m.role()).put("content", m.content());
        }
        body.put("add_generation_prompt", addGenerationPrompt);
        long[] h = HASH.hashChars(body.toString());
        return switch (api) {
            case VLLM -> cached(new Key(true, h[0], h[1]), () -> ids(post(tokenizeUri, body)));
            case LLAMA_CPP -> cached(new Key(true, h[0], h[1]), () -> {
                JsonNode prompt = post(templateUri, body).get("prompt");
                if (prompt == null || !prompt.isTextual()) {
                    throw new TokenizationException(Failure.ERROR, templateUri + " answered without a prompt");
                }
                return ids(post(tokenizeUri, api.textBody(model, prompt.asText())));
            });
            case SGLANG, TGI -> throw new TokenizationException(Failure.ERROR, api + "'s /tokenize takes text "
                    + "only: chat requests are routed without engine tokens (tokenizer: huggingface renders the chat "
                    + "template locally)", false);
        };
    }

    private int[] cached(Key key, java.util.function.Supplier<int[]> fetch) {
        int[] hit = cache.getIfPresent(key);
        if (hit != null) {
            return hit;
        }
        long until = backOffUntil.get();
        if (until != 0 && System.nanoTime() - until < 0) {
            throw new TokenizationException(Failure.BACKING_OFF, tokenizeUri + " failed recently; not asked for "
                    + "another " + Duration.ofNanos(until - System.nanoTime()).toMillis() + " ms");
        }
        int[] ids;
        try {
            ids = fetch.get();
        } catch (TokenizationException e) {
            if (!e.serverAtFault()) {
                throw e; // this request's problem (e.g. a 400 for its length), not the server's health
            }
            long next = Math.min(MAX_BACKOFF.toNanos(), Math.max(FIRST_BACKOFF.toNanos(), 2 * backOffNanos.get()));
            backOffNanos.set(next);
            backOffUntil.set(System.nanoTime() + next);
            throw e;
        }
        backOffNanos.set(0);
        backOffUntil.set(0);
        cache.put(key, ids);
        return ids;
    }

    /** What the cached ids weigh now (bytes, as the cache counts them). */
    public long cacheWeight() {
        return cache.policy().eviction().orElseThrow().weightedSize().orElse(0);
    }

    /** The most the cached ids may weigh. */
    public long cacheBytes() {
        return cacheBytes;
    }

    private ObjectNode body() {
        ObjectNode body = JSON.createObjectNode();
        if (model != null) {
            body.put("model", model);
        }
        return body;
    }

    private int[] ids(JsonNode answer) {
        int[] ids = api.ids(answer);
        if (ids == null) {
            throw new TokenizationException(Failure.ERROR, tokenizeUri + " answered without a tokens array");
        }
        return ids;
    }

    private JsonNode post(URI uri, ObjectNode body) {
        HttpResponse<byte[]> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(timeout)
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new TokenizationException(Failure.TIMEOUT, uri + " did not answer within "
                    + timeout.toMillis() + " ms");
        } catch (IOException e) {
            throw new TokenizationException(Failure.ERROR, "tokenizing with " + uri + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenizationException(Failure.ERROR, "interrupted while tokenizing with " + uri);
        }
        if (response.statusCode() != 200) {
            String text = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
            throw new TokenizationException(Failure.ERROR, uri + " answered " + response.statusCode() + ": "
                    + (text.length() > 200 ? text.substring(0, 200) + "..." : text), response.statusCode() >= 500);
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new TokenizationException(Failure.ERROR, uri + " answered with unreadable JSON: "
                    + e.getMessage());
        }
    }

    /** The model server could not tokenize (unreachable, timeout, error answer, backing off after one of those). */
    public static final class TokenizationException extends RuntimeException {

        private final Failure failure;
        private final boolean serverAtFault;

        public TokenizationException(Failure failure, String message) {
            this(failure, message, true);
        }

        public TokenizationException(Failure failure, String message, boolean serverAtFault) {
            super(message);
            this.failure = failure;
            this.serverAtFault = serverAtFault;
        }

        public Failure failure() {
            return failure;
        }

        /** Whether the server is down, slow or broken (the tokenizer backs off), not refusing this one request. */
        public boolean serverAtFault() {
            return serverAtFault;
        }
    }
}
