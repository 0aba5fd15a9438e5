package dev.jetway.bench.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** Reads what the benchmark needs from OpenAI responses and stream chunks: output text, usage, errors. */
final class ResponseParser {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one JSON object (a stream chunk or a whole response) says. */
    record Parsed(boolean hasContent, int promptTokens, int completionTokens, int cachedTokens, String error) {
    }

    private ResponseParser() {
    }

    static Parsed parse(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (IOException e) {
            return new Parsed(false, -1, -1, -1, "malformed JSON from server: " + abbreviate(json));
        }
        if (node == null || !node.isObject()) {
            return new Parsed(false, -1, -1, -1, "unexpected response: " + abbreviate(json));
        }
        JsonNode error = node.get("error");
        if (error != null && !error.isNull()) {
            String message = error.isObject() ? error.path("message").asText("") : error.asText();
            return new Parsed(false, -1, -1, -1, "server error: " + message);
        }
        boolean content = false;
        for (JsonNode choice : node.path("choices")) {
            String text = choice.has("text") ? choice.path("text").asText("")
                    : choice.has("delta") ? choice.path("delta").path("content").asText("")
                    : choice.path("message").path("content").asText("");
            content |= !text.isEmpty();
        }
        JsonNode usage = node.get("usage");
        if (usage == null || usage.isNull()) {
            return new Parsed(content, -1, -1, -1, null);
        }
        return new Parsed(content, usage.path("prompt_tokens").asInt(-1), usage.path("completion_tokens").asInt(-1),
                usage.path("prompt_tokens_details").path("cached_tokens").asInt(0), null);
    }

    /** The OpenAI error message of an error body, or the body itself. */
    static String errorMessage(int status, String body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.path("error").has("message")) {
                return "HTTP " + status + ": " + node.path("error").path("message").asText();
            }
        } catch (IOException ignored) {
            // not JSON: report the raw body
        }
        return "HTTP " + status + ": " + abbreviate(body);
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.length() > 120 ? t.substring(0, 120) + "..." : t;
    }
}
