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
import java.time.Duration;
import java.util.List;

/**
 * Tokenizes with the model server itself: {@code POST <baseUrl>/tokenize} (vLLM and {@code jetway sim} both serve
 * it), sending chat requests as {@code messages} so the server applies its own chat template. The token ids are then
 * exactly what the engine caches. Results are kept in a bounded cache (system prompts repeat); each call gives up
 * after the timeout. Blocking: call it off the network event loop.
 */
public final class RemoteTokenizer implements Tokenizer, ChatTokenizer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI tokenizeUri;
    private final String model;
    private final Duration timeout;
    private final HttpClient http;
    private final Cache<String, int[]> cache;

    /**
     * @param baseUrl   the model server, e.g. {@code http://10.0.0.5:8000}
     * @param model     model name sent with each call (vLLM checks it), or null
     * @param cacheSize prompts remembered
     */
    public RemoteTokenizer(String baseUrl, String model, Duration timeout, int cacheSize, HttpClient http) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.tokenizeUri = URI.create(base + "/tokenize");
        this.model = model;
        this.timeout = timeout;
        this.http = http;
        this.cache = Caffeine.newBuilder().maximumSize(cacheSize).build();
    }

    @Override
    public String name() {
        return "engine " + tokenizeUri;
    }

    @Override
    public int[] encode(String text) {
        return cache.get("p\u0000" + text, k -> call(body().put("prompt", text)));
    }

    @Override
    public int[] encodeChat(List<ChatMessage> messages, boolean addGenerationPrompt) {
        ObjectNode body = body();
        ArrayNode list = body.putArray("messages");
        for (ChatMessage m : messages) {
            list.addObject().put("role", m.role()).put("content", m.content());
        }
        body.put("add_generation_prompt", addGenerationPrompt);
        String key = "c\u0000" + body;
        return cache.get(key, k -> call(body));
    }

    private ObjectNode body() {
        ObjectNode body = JSON.createObjectNode();
        if (model != null) {
            body.put("model", model);
        }
        return body;
    }

    private int[] call(ObjectNode body) {
        HttpResponse<byte[]> response;
        try {
            response = http.send(HttpRequest.newBuilder(tokenizeUri).timeout(timeout)
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new TokenizationException("tokenizing with " + tokenizeUri + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenizationException("interrupted while tokenizing with " + tokenizeUri);
        }
        if (response.statusCode() != 200) {
            throw new TokenizationException(tokenizeUri + " answered " + response.statusCode() + ": "
                    + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        try {
            JsonNode tokens = JSON.readTree(response.body()).get("tokens");
            if (tokens == null || !tokens.isArray()) {
                throw new TokenizationException(tokenizeUri + " answered without a tokens array");
            }
            int[] ids = new int[tokens.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = tokens.get(i).asInt();
            }
            return ids;
        } catch (IOException e) {
            throw new TokenizationException(tokenizeUri + " answered with unreadable JSON: " + e.getMessage());
        }
    }

    /** The model server could not tokenize (unreachable, timeout, error answer). */
    public static final class TokenizationException extends RuntimeException {
        public TokenizationException(String message) {
            super(message);
        }
    }
}
