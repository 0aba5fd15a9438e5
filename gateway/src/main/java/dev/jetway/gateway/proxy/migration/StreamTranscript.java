package dev.jetway.gateway.proxy.migration;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.jetway.kvcache.tokenize.Tokenizer;
import java.io.IOException;

/**
 * What the client of a streamed completion has been sent so far, read from the events as they go out: the chunks'
 * identity ({@code id}, {@code object}, {@code created}, {@code model} of the first one), the generated text, whether
 * the chat role chunk, a {@code finish_reason}, the usage or {@code [DONE]} went out, and anything that makes the
 * stream impossible to continue faithfully elsewhere (several choices, tool calls, reasoning, an error event).
 *
 * <p>Fed one event's data at a time ({@link SseFramer.DataSink}); reads it with Jackson's streaming parser and keeps
 * nothing of it but the text. Not thread-safe: one per stream, on its event loop.
 */
final class StreamTranscript implements SseFramer.DataSink {

    private static final JsonFactory JSON = new JsonFactory();

    private String id;
    private String object;
    private long created = -1;
    private String model;
    private boolean roleSent;
    private final StringBuilder text = new StringBuilder();
    private int contentChunks;
    private long usageCompletionTokens = -1;
    private String finishReason;
    private boolean done;
    private String notContinuable;

    @Override
    public void data(byte[] bytes, int from, int to) {
        if (to - from == 6 && bytes[from] == '[' && new String(bytes, from, 6,
                java.nio.charset.StandardCharsets.US_ASCII).equals("[DONE]")) {
            done = true;
            return;
        }
        try (JsonParser p = JSON.createParser(bytes, from, to - from)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            readChunk(p);
        } catch (IOException | RuntimeException e) {
            // not JSON the client could use either: nothing to continue from
            notContinuable("an event that is not a JSON chunk");
        }
    }

    private void readChunk(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "id" -> {
                    if (id == null && v == JsonToken.VALUE_STRING) {
                        id = p.getText();
                    }
                }
                case "object" -> {
                    if (object == null && v == JsonToken.VALUE_STRING) {
                        object = p.getText();
                    }
                }
                case "created" -> {
                    if (created < 0 && v == JsonToken.VALUE_NUMBER_INT) {
                        created = p.getLongValue();
                    }
                }
                case "model" -> {
                    if (model == null && v == JsonToken.VALUE_STRING) {
                        model = p.getText();
                    }
                }
                case "choices" -> readChoices(p, v);
                case "usage" -> readUsage(p, v);
                case "error" -> {
                    if (v != JsonToken.VALUE_NULL) {
                        notContinuable("the model server sent an error event");
                    }
                    p.skipChildren();
                }
                default -> p.skipChildren();
            }
        }
    }

    private void readChoices(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.START_OBJECT) {
            boolean content = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken fv = p.nextToken();
                switch (field) {
                    case "index" -> {
                        if (fv == JsonToken.VALUE_NUMBER_INT && p.getIntValue() != 0) {
                            notContinuable("several choices (n > 1)");
                        }
                    }
                    case "text" -> content |= appendText(p, fv);
                    case "delta" -> content |= readDelta(p, fv);
                    case "finish_reason" -> {
                        if (fv == JsonToken.VALUE_STRING) {
                            finishReason = p.getText();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (content) {
                contentChunks++;
            }
        }
    }

    /** Reads a chat delta; true when it carried generated text. */
    private boolean readDelta(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            p.skipChildren();
            return false;
        }
        boolean content = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken fv = p.nextToken();
            switch (field) {
                case "role" -> roleSent |= fv == JsonToken.VALUE_STRING;
                case "content" -> content |= appendText(p, fv);
                case "reasoning_content", "reasoning" -> {
                    if (fv == JsonToken.VALUE_STRING && p.getTextLength() > 0) {
                        notContinuable("reasoning in flight");
                    }
                }
                case "tool_calls" -> {
                    if (fv == JsonToken.START_ARRAY && p.nextToken() != JsonToken.END_ARRAY) {
                        notContinuable("tool calls in flight");
                    }
                    p.skipChildren();
                }
                case "function_call" -> {
                    if (fv != JsonToken.VALUE_NULL) {
                        notContinuable("tool calls in flight");
                    }
                    p.skipChildren();
                }
                default -> p.skipChildren();
            }
        }
        return content;
    }

    private boolean appendText(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_STRING) {
            p.skipChildren();
            return false;
        }
        int length = p.getTextLength();
        if (length == 0) {
            return false;
        }
        text.append(p.getTextCharacters(), p.getTextOffset(), length);
        return true;
    }

    private void readUsage(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken fv = p.nextToken();
            if (field.equals("completion_tokens") && fv == JsonToken.VALUE_NUMBER_INT) {
                usageCompletionTokens = p.getLongValue();
            } else {
                p.skipChildren();
            }
        }
    }

    private void notContinuable(String reason) {
        if (notContinuable == null) {
            notContinuable = reason;
        }
    }

    /**
     * Output tokens the client has been sent: the stream's own count when a chunk carried usage (exact); else the
     * text counted by {@code tokenizer} (exact when it is the model's, as {@code jetway-simple-v1} is the
     * simulator's); else one per chunk that carried text (vLLM's one token per chunk; it undercounts when chunks
     * merge several tokens).
     */
    int tokensSent(Tokenizer tokenizer) {
        if (usageCompletionTokens >= 0) {
            return (int) Math.min(Integer.MAX_VALUE, usageCompletionTokens);
        }
        if (tokenizer != null && !text.isEmpty()) {
            return tokenizer.count(text.toString());
        }
        return contentChunks;
    }

    String id() {
        return id;
    }

    String object() {
        return object;
    }

    /** The first chunk's {@code created}, or -1. */
    long created() {
        return created;
    }

    String model() {
        return model;
    }

    boolean roleSent() {
        return roleSent;
    }

    String text() {
        return text.toString();
    }

    boolean hasText() {
        return !text.isEmpty();
    }

    /** The {@code finish_reason} sent, or null while the choice is still generating. */
    String finishReason() {
        return finishReason;
    }

    boolean usageSent() {
        return usageCompletionTokens >= 0;
    }

    boolean done() {
        return done;
    }

    /** Why the stream cannot be continued elsewhere, or null. */
    String notContinuable() {
        return notContinuable;
    }
}
