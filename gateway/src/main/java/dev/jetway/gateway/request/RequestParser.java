package dev.jetway.gateway.request;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.jetway.scheduler.ChatMessage;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the routing fields of an OpenAI request body with Jackson's streaming parser: no tree is built, unknown
 * fields are skipped, long prompt strings are decoded once straight from the bytes ({@link RawJsonString}), and the
 * body bytes stay untouched for forwarding.
 */
public final class RequestParser {

    /** A body up to this size reuses its thread's buffer; larger ones (rare, up to the body limit) get their own. */
    private static final int MAX_KEPT_SCRATCH = 1 << 20;
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[16 * 1024];
        }
    };

    private final JsonFactory json;

    public RequestParser(int maxBodyBytes) {
        this.json = new KnownEndJsonParser.Factory(new JsonFactoryBuilder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(Math.max(maxBodyBytes, StreamReadConstraints.DEFAULT_MAX_STRING_LEN))
                        .maxNestingDepth(64)
                        .build()));
    }

    /**
     * Parses a request body held by Netty. A heap body is read in place; a direct one is copied once into this
     * thread's reusable buffer (the parse is over before the thread can take another request, and no parsed value
     * points into the buffer).
     */
    public ParsedRequest parse(ApiKind kind, ByteBuf body) throws BadRequestException {
        int length = body.readableBytes();
        if (body.hasArray()) {
            return parse(kind, body.array(), body.arrayOffset() + body.readerIndex(), length);
        }
        byte[] scratch = length <= MAX_KEPT_SCRATCH ? SCRATCH.get() : new byte[length];
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, Math.min(MAX_KEPT_SCRATCH, scratch.length * 2))];
            SCRATCH.set(scratch);
        }
        body.getBytes(body.readerIndex(), scratch, 0, length);
        return parse(kind, scratch, 0, length);
    }

    public ParsedRequest parse(ApiKind kind, byte[] body) throws BadRequestException {
        return parse(kind, body, 0, body.length);
    }

    public ParsedRequest parse(ApiKind kind, byte[] body, int offset, int length) throws BadRequestException {
        try (JsonParser p = json.createParser(body, offset, length)) {
            return parse(kind, p, new RawJsonString(body, offset, offset + length));
        } catch (JsonProcessingException e) {
            throw new BadRequestException(JsonProblem.describe(e), null);
        } catch (IOException e) {
            throw new BadRequestException("request body could not be read", null);
        }
    }

    private static ParsedRequest parse(ApiKind kind, JsonParser p, RawJsonString raw)
            throws IOException, BadRequestException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new BadRequestException("request body must be a JSON object", null);
        }
        String model = null;
        String promptText = null;
        int[] promptTokens = null;
        boolean promptSeen = false;
        List<ChatMessage> messages = null;
        boolean stream = false;
        int maxTokens = -1;
        String cacheSalt = null;
        boolean addGenerationPrompt = true;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "model" -> model = requireString(p, v, "model");
                case "stream" -> stream = requireBoolean(v, "stream");
                case "max_tokens", "max_completion_tokens" -> {
                    if (v != JsonToken.VALUE_NULL) {
                        maxTokens = requireInt(p, v, field);
                    }
                }
                case "add_generation_prompt" -> addGenerationPrompt = v == JsonToken.VALUE_NULL
                        || requireBoolean(v, "add_generation_prompt");
                case "cache_salt" -> cacheSalt = v == JsonToken.VALUE_NULL ? null : requireString(p, v, "cache_salt");
                case "prompt" -> {
                    if (kind == ApiKind.COMPLETIONS) {
                        promptSeen = true;
                        Prompt prompt = readPrompt(p, v, raw);
                        promptText = prompt.text();
                        promptTokens = prompt.tokens();
                    } else {
                        p.skipChildren();
                    }
                }
                case "messages" -> {
                    if (kind == ApiKind.CHAT_COMPLETIONS) {
                        messages = readMessages(p, v, raw);
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new BadRequestException("request body is not valid JSON", null);
        }
        if (p.nextToken() != null) {
            throw new BadRequestException("request body has trailing content after the JSON object", null);
        }
        if (model == null || model.isEmpty()) {
            throw new BadRequestException("you must provide a model parameter", "model");
        }
        if (kind == ApiKind.COMPLETIONS && !promptSeen) {
            throw new BadRequestException("you must provide a prompt parameter", "prompt");
        }
        if (kind == ApiKind.CHAT_COMPLETIONS && messages == null) {
            throw new BadRequestException("you must provide a messages parameter", "messages");
        }
        return new ParsedRequest(kind, model, promptText, promptTokens, messages == null ? List.of() : messages,
                stream, maxTokens, cacheSalt, addGenerationPrompt);
    }

    private record Prompt(String text, int[] tokens) {
    }

    /** A string, a list of strings, a list of token ids, or a list of token-id lists; routing uses the first prompt. */
    private static Prompt readPrompt(JsonParser p, JsonToken v, RawJsonString raw)
            throws IOException, BadRequestException {
        if (v == JsonToken.VALUE_STRING) {
            return new Prompt(raw.text(p), null);
        }
        if (v != JsonToken.START_ARRAY) {
            throw new BadRequestException("prompt must be a string, a list of strings or a list of token ids", "prompt");
        }
        JsonToken first = p.nextToken();
        if (first == JsonToken.END_ARRAY) {
            throw new BadRequestException("prompt must not be empty", "prompt");
        }
        if (first == JsonToken.VALUE_STRING) {
            String text = raw.text(p);
            expectRest(p, JsonToken.VALUE_STRING, "prompt must be a list of strings");
            return new Prompt(text, null);
        }
        if (first == JsonToken.VALUE_NUMBER_INT) {
            return new Prompt(null, readTokenIds(p, true));
        }
        if (first == JsonToken.START_ARRAY) {
            JsonToken inner = p.nextToken();
            if (inner != JsonToken.VALUE_NUMBER_INT) {
                throw new BadRequestException("prompt token lists must hold integers", "prompt");
            }
            int[] tokens = readTokenIds(p, true);
            while ((inner = p.nextToken()) == JsonToken.START_ARRAY) {
                p.skipChildren();
            }
            if (inner != JsonToken.END_ARRAY) {
                throw new BadRequestException("prompt must be a list of token-id lists", "prompt");
            }
            return new Prompt(null, tokens);
        }
        throw new BadRequestException("prompt must be a string, a list of strings or a list of token ids", "prompt");
    }

    /** Reads ints up to the closing bracket; the parser is on the first int. */
    private static int[] readTokenIds(JsonParser p, boolean onFirst) throws IOException, BadRequestException {
        int[] out = new int[64];
        int n = 0;
        JsonToken t = onFirst ? JsonToken.VALUE_NUMBER_INT : p.nextToken();
        while (t == JsonToken.VALUE_NUMBER_INT) {
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            long id = p.getLongValue();
            if (id < 0 || id > Integer.MAX_VALUE) {
                throw new BadRequestException("prompt token ids must be non-negative 32-bit integers", "prompt");
            }
            out[n++] = (int) id;
            t = p.nextToken();
        }
        if (t != JsonToken.END_ARRAY) {
            throw new BadRequestException("prompt token lists must hold integers", "prompt");
        }
        return Arrays.copyOf(out, n);
    }

    private static void expectRest(JsonParser p, JsonToken type, String message) throws IOException, BadRequestException {
        JsonToken t;
        while ((t = p.nextToken()) == type) {
            // later prompts of a batch do not influence routing
        }
        if (t != JsonToken.END_ARRAY) {
            throw new BadRequestException(message, "prompt");
        }
    }

    private static List<ChatMessage> readMessages(JsonParser p, JsonToken v, RawJsonString raw)
            throws IOException, BadRequestException {
        if (v != JsonToken.START_ARRAY) {
            throw new BadRequestException("messages must be a list of message objects", "messages");
        }
        List<ChatMessage> out = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
            String role = null;
            String content = "";
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken fv = p.nextToken();
                switch (field) {
                    case "role" -> role = requireString(p, fv, "messages.role");
                    case "content" -> content = readContent(p, fv, raw);
                    default -> p.skipChildren();
                }
            }
            if (role == null) {
                throw new BadRequestException("every message needs a role", "messages");
            }
            out.add(new ChatMessage(role, content));
        }
        if (t != JsonToken.END_ARRAY) {
            throw new BadRequestException("messages must be a list of message objects", "messages");
        }
        if (out.isEmpty()) {
            throw new BadRequestException("messages must not be empty", "messages");
        }
        return out;
    }

    /** A string, null, or a list of content parts whose text parts are concatenated. */
    private static String readContent(JsonParser p, JsonToken v, RawJsonString raw)
            throws IOException, BadRequestException {
        if (v == JsonToken.VALUE_STRING) {
            return raw.text(p);
        }
        if (v == JsonToken.VALUE_NULL) {
            return "";
        }
        if (v != JsonToken.START_ARRAY) {
            throw new BadRequestException("message content must be a string or a list of parts", "messages.content");
        }
        StringBuilder text = new StringBuilder();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
            String type = null;
            String partText = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken fv = p.nextToken();
                if (field.equals("text") && fv == JsonToken.VALUE_STRING) {
                    partText = raw.text(p);
                } else if (field.equals("type") && fv == JsonToken.VALUE_STRING) {
                    type = p.getText();
                } else {
                    p.skipChildren();
                }
            }
            // same joining as the simulator's template: text parts only, one newline between them
            if ("text".equals(type) && partText != null) {
                if (!text.isEmpty()) {
                    text.append('\n');
                }
                text.append(partText);
            }
        }
        if (t != JsonToken.END_ARRAY) {
            throw new BadRequestException("message content parts must be objects", "messages.content");
        }
        return text.toString();
    }

    private static String requireString(JsonParser p, JsonToken v, String param) throws IOException, BadRequestException {
        if (v != JsonToken.VALUE_STRING) {
            throw new BadRequestException(param + " must be a string", param);
        }
        return p.getText();
    }

    private static boolean requireBoolean(JsonToken v, String param) throws BadRequestException {
        return switch (v) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE, VALUE_NULL -> false;
            default -> throw new BadRequestException(param + " must be a boolean", param);
        };
    }

    private static int requireInt(JsonParser p, JsonToken v, String param) throws IOException, BadRequestException {
        if (v != JsonToken.VALUE_NUMBER_INT) {
            throw new BadRequestException(param + " must be an integer", param);
        }
        long value = p.getLongValue();
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new BadRequestException(param + " must be a non-negative integer", param);
        }
        return (int) value;
    }
}
