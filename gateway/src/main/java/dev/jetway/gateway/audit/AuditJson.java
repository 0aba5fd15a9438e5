package dev.jetway.gateway.audit;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jetway.gateway.config.AuditSettings;
import dev.jetway.gateway.config.RegexRule;
import dev.jetway.gateway.guard.PromptTexts;
import dev.jetway.gateway.request.ApiKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An {@link AuditRecord} as one JSON object (docs/governance.md has the schema), text included when the settings ask
 * for it, with the redaction rules applied. Runs on the log's writer thread only (it reuses one buffer).
 */
final class AuditJson {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    private final boolean includePrompt;
    private final boolean includeCompletion;
    private final List<Redaction> redactions;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(2048);

    private record Redaction(Pattern pattern, String replacement) {
    }

    AuditJson(AuditSettings settings) {
        this.includePrompt = settings.includePrompt();
        this.includeCompletion = settings.includeCompletion();
        this.redactions = settings.redact().stream()
                .map(r -> new Redaction(Pattern.compile(r.pattern()), r.replacement())).toList();
    }

    /** The record's JSON, UTF-8, without a line end. */
    byte[] encode(AuditRecord r) throws IOException {
        buffer.reset();
        try (JsonGenerator g = FACTORY.createGenerator(buffer, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.ofEpochMilli(r.epochMillis()).toString());
            g.writeStringField("requestId", r.requestId());
            g.writeStringField("tenant", r.tenant());
            g.writeStringField("objective", r.objective());
            g.writeNumberField("priority", r.priority());
            g.writeStringField("api", r.api());
            g.writeStringField("model", r.model());
            g.writeFieldName("stream");
            if (r.stream() == null) {
                g.writeNull();
            } else {
                g.writeBoolean(r.stream());
            }
            g.writeStringField("pool", r.pool());
            g.writeStringField("endpoint", r.endpoint());
            g.writeStringField("prefillEndpoint", r.prefillEndpoint());
            g.writeNumberField("attempts", r.attempts());
            g.writeArrayFieldStart("endpoints");
            for (String e : r.endpoints()) {
                g.writeString(e);
            }
            g.writeEndArray();
            g.writeNumberField("migrations", r.migrations());
            g.writeStringField("decision", r.decision() == null ? null : r.decision().toCompactString());
            g.writeStringField("outcome", r.outcome());
            g.writeNumberField("status", r.status());
            g.writeNumberField("upstreamStatus", r.upstreamStatus());
            g.writeFieldName("error");
            if (r.errorMessage() == null) {
                g.writeNull();
            } else {
                g.writeStartObject();
                g.writeStringField("type", r.errorType());
                g.writeStringField("code", r.errorCode());
                g.writeStringField("message", r.errorMessage());
                g.writeEndObject();
            }
            g.writeArrayFieldStart("guardrails");
            for (String note : r.guardrails()) {
                g.writeString(note);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("tokens");
            count(g, "prompt", r.promptTokens());
            count(g, "completion", r.completionTokens());
            count(g, "cached", r.cachedTokens());
            g.writeEndObject();
            g.writeObjectFieldStart("timings");
            millis(g, "queueMs", r.queueNanos());
            millis(g, "ttftMs", r.ttftNanos());
            millis(g, "totalMs", r.totalNanos());
            g.writeEndObject();
            if (includePrompt) {
                writePrompt(g, r);
            }
            if (includeCompletion) {
                writeCompletion(g, r);
            }
            g.writeEndObject();
        }
        return buffer.toByteArray();
    }

    private static void count(JsonGenerator g, String name, long value) throws IOException {
        if (value < 0) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, value);
        }
    }

    private static void millis(JsonGenerator g, String name, long nanos) throws IOException {
        if (nanos < 0) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, Math.round(nanos / 1000.0) / 1000.0);
        }
    }

    /** {@code "prompt"}: chat messages as {@code [{role, content}]}, a completion prompt as a string or list. */
    private void writePrompt(JsonGenerator g, AuditRecord r) throws IOException {
        g.writeFieldName("prompt");
        JsonNode body = r.forwardedBody() == null ? null : readQuietly(r.forwardedBody());
        ApiKind kind = kindOf(r.api());
        if (body == null || kind == null) {
            g.writeNull();
        } else if (kind == ApiKind.CHAT_COMPLETIONS) {
            g.writeStartArray();
            for (PromptTexts.Message m : PromptTexts.messages(body)) {
                g.writeStartObject();
                g.writeStringField("role", m.role());
                g.writeStringField("content", redact(m.content()));
                g.writeEndObject();
            }
            g.writeEndArray();
        } else {
            List<String> prompts = PromptTexts.texts(body, kind);
            if (prompts.size() == 1) {
                g.writeString(redact(prompts.getFirst()));
            } else if (prompts.isEmpty()) {
                g.writeNull(); // token ids: no text
            } else {
                g.writeStartArray();
                for (String p : prompts) {
                    g.writeString(redact(p));
                }
                g.writeEndArray();
            }
        }
        if (r.bodyTruncated()) {
            g.writeBooleanField("promptTruncated", true);
        }
    }

    /** {@code "completion"}: the generated text (one string; choices after the first joined by a blank line). */
    private void writeCompletion(JsonGenerator g, AuditRecord r) throws IOException {
        String text = null;
        if (r.response() != null && r.upstreamStatus() > 0 && r.upstreamStatus() < 400) {
            text = r.responseSse() ? CompletionText.ofEventStream(r.response())
                    : r.responseTruncated() ? null : CompletionText.ofJson(r.response());
        }
        g.writeStringField("completion", text == null ? null : redact(text));
        if (r.responseTruncated()) {
            g.writeBooleanField("completionTruncated", true);
        }
    }

    private String redact(String text) {
        String out = text;
        for (Redaction rule : redactions) {
            out = rule.pattern().matcher(out).replaceAll(rule.replacement());
        }
        return out;
    }

    private static JsonNode readQuietly(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return null;
        }
    }

    private static ApiKind kindOf(String path) {
        return ApiKind.ofPath(path);
    }

    /** The generated text of a response as relayed. */
    static final class CompletionText {

        private CompletionText() {
        }

        static String ofJson(byte[] body) {
            JsonNode root = readQuietly(body);
            return root == null ? null : join(root.path("choices"), false);
        }

        /** Each {@code data:} event's choices' text or {@code delta.content}, in order, per choice index. */
        static String ofEventStream(byte[] bytes) {
            String all = new String(bytes, StandardCharsets.UTF_8);
            java.util.TreeMap<Integer, StringBuilder> byChoice = new java.util.TreeMap<>();
            for (String line : all.split("\r?\n")) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                String data = line.substring(5).trim();
                if (data.isEmpty() || data.equals("[DONE]")) {
                    continue;
                }
                JsonNode event = readQuietly(data.getBytes(StandardCharsets.UTF_8));
                if (event == null) {
                    continue; // cut short by maxTextBytes, or not JSON
                }
                for (JsonNode choice : event.path("choices")) {
                    String piece = piece(choice, true);
                    if (piece != null) {
                        byChoice.computeIfAbsent(choice.path("index").asInt(0), i -> new StringBuilder())
                                .append(piece);
                    }
                }
            }
            if (byChoice.isEmpty()) {
                return null;
            }
            StringBuilder out = new StringBuilder();
            for (StringBuilder sb : byChoice.values()) {
                if (!out.isEmpty()) {
                    out.append("\n\n");
                }
                out.append(sb);
            }
            return out.toString();
        }

        private static String join(JsonNode choices, boolean delta) {
            StringBuilder out = null;
            for (JsonNode choice : choices) {
                String piece = piece(choice, delta);
                if (piece != null) {
                    out = out == null ? new StringBuilder(piece) : out.append("\n\n").append(piece);
                }
            }
            return out == null ? null : out.toString();
        }

        private static String piece(JsonNode choice, boolean delta) {
            if (choice.path("text").isTextual()) {
                return choice.get("text").asText();
            }
            JsonNode content = choice.path(delta ? "delta" : "message").path("content");
            return content.isTextual() ? content.asText() : null;
        }
    }
}
