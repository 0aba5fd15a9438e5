package dev.jetway.gateway.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jetway.gateway.config.GuardrailSettings;
import dev.jetway.gateway.request.ApiKind;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The external content check of {@code guardrails.moderation}: the request's text goes to a moderation endpoint and
 * comes back flagged or not. Two protocols:
 * <ul>
 *   <li>{@code openai}: OpenAI's {@code POST /v1/moderations} ({@code {"model", "input": [texts]}} →
 *       {@code results[].flagged} and {@code categories}); any compatible server;</li>
 *   <li>{@code llama-guard}: a guard chat model (Llama Guard behind vLLM's {@code /v1/chat/completions}): the
 *       conversation goes as its messages and the answer's first line is {@code safe} or {@code unsafe}, the second the
 *       violated categories ({@code S1,S10}).</li>
 * </ul>
 * The call runs on the JDK's HTTP client, off the event loop, with the settings' timeout on the whole exchange.
 */
public final class Moderation {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The check's answer. */
    public record Verdict(boolean flagged, List<String> categories) {
    }

    private final GuardrailSettings.Moderation settings;
    private final URI url;
    private final HttpClient http;

    public Moderation(GuardrailSettings.Moderation settings) {
        this.settings = settings;
        this.url = URI.create(settings.url());
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout()).build();
    }

    public GuardrailSettings.Moderation settings() {
        return settings;
    }

    /**
     * Checks the request {@code body} (after redaction); completes with the verdict, or exceptionally when the check
     * failed or timed out.
     */
    public CompletableFuture<Verdict> check(JsonNode body, ApiKind kind) {
        byte[] request;
        try {
            request = JSON.writeValueAsBytes(settings.kindValue() == GuardrailSettings.ModerationKind.OPENAI
                    ? openAiRequest(body, kind) : llamaGuardRequest(body, kind));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(settings.timeout())
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request));
        if (settings.apiKey() != null) {
            b.header("authorization", "Bearer " + settings.apiKey());
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray())
                .orTimeout(settings.timeout().toNanos(), TimeUnit.NANOSECONDS)
                .thenApply(this::verdict);
    }

    private ObjectNode openAiRequest(JsonNode body, ApiKind kind) {
        ObjectNode out = JSON.createObjectNode();
        if (settings.model() != null) {
            out.put("model", settings.model());
        }
        ArrayNode input = out.putArray("input");
        for (String text : PromptTexts.texts(body, kind)) {
            if (!text.isEmpty()) {
                input.add(text);
            }
        }
        return out;
    }

    /**
     * Llama Guard's chat template takes alternating user and assistant turns: system, developer and tool messages are
     * read as user turns, consecutive turns of one role are joined, and a conversation may not open with the
     * assistant.
     */
    private ObjectNode llamaGuardRequest(JsonNode body, ApiKind kind) {
        List<PromptTexts.Message> turns = new ArrayList<>();
        if (kind == ApiKind.COMPLETIONS) {
            turns.add(new PromptTexts.Message("user", String.join("\n\n", PromptTexts.texts(body, kind))));
        } else {
            for (PromptTexts.Message m : PromptTexts.messages(body)) {
                String role = m.role().equals("assistant") && !turns.isEmpty() ? "assistant" : "user";
                if (!turns.isEmpty() && turns.getLast().role().equals(role)) {
                    PromptTexts.Message last = turns.removeLast();
                    turns.add(new PromptTexts.Message(role, last.content() + "\n\n" + m.content()));
                } else {
                    turns.add(new PromptTexts.Message(role, m.content()));
                }
            }
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("model", settings.model());
        ArrayNode messages = out.putArray("messages");
        for (PromptTexts.Message t : turns) {
            messages.addObject().put("role", t.role()).put("content", t.content());
        }
        out.put("max_tokens", 32);
        out.put("temperature", 0);
        out.put("stream", false);
        return out;
    }

    private Verdict verdict(HttpResponse<byte[]> response) {
        if (response.statusCode() / 100 != 2) {
            throw new ModerationFailed("the moderation endpoint answered " + response.statusCode());
        }
        JsonNode root;
        try {
            root = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new ModerationFailed("the moderation endpoint's answer is not JSON");
        }
        return settings.kindValue() == GuardrailSettings.ModerationKind.OPENAI ? openAiVerdict(root)
                : llamaGuardVerdict(root);
    }

    static Verdict openAiVerdict(JsonNode root) {
        JsonNode results = root.path("results");
        if (!results.isArray()) {
            throw new ModerationFailed("the moderation answer has no results list");
        }
        boolean flagged = false;
        List<String> categories = new ArrayList<>();
        for (JsonNode result : results) {
            if (!result.path("flagged").isBoolean()) {
                throw new ModerationFailed("a moderation result has no flagged field");
            }
            flagged |= result.get("flagged").asBoolean();
            for (Iterator<Map.Entry<String, JsonNode>> it = result.path("categories").fields(); it.hasNext(); ) {
                var c = it.next();
                if (c.getValue().asBoolean(false) && !categories.contains(c.getKey())) {
                    categories.add(c.getKey());
                }
            }
        }
        return new Verdict(flagged, List.copyOf(categories));
    }

    static Verdict llamaGuardVerdict(JsonNode root) {
        JsonNode content = root.path("choices").path(0).path("message").path("content");
        if (!content.isTextual()) {
            throw new ModerationFailed("the guard model's answer has no message content");
        }
        String[] lines = content.asText().strip().split("\\R");
        String first = lines[0].strip().toLowerCase(java.util.Locale.ROOT);
        if (first.equals("safe")) {
            return new Verdict(false, List.of());
        }
        if (first.equals("unsafe")) {
            List<String> categories = new ArrayList<>();
            if (lines.length > 1) {
                for (String c : lines[1].split(",")) {
                    if (!c.isBlank()) {
                        categories.add(c.strip());
                    }
                }
            }
            return new Verdict(true, List.copyOf(categories));
        }
        throw new ModerationFailed("the guard model answered neither safe nor unsafe: "
                + first.substring(0, Math.min(40, first.length())));
    }

    /** The check could not give a verdict. */
    public static final class ModerationFailed extends RuntimeException {
        ModerationFailed(String message) {
            super(message, null, false, false);
        }
    }
}
