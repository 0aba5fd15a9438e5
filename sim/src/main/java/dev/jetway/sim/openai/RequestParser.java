package dev.jetway.sim.openai;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jetway.engine.KvTransfer;
import dev.jetway.kvcache.tokenize.Tokenizer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Validates OpenAI request bodies the way vLLM does and turns them into {@link GenerationRequest}s. Every problem
 * becomes an {@link ApiError.Exception} naming the field at fault; nothing else escapes.
 */
public final class RequestParser {

    private final ObjectMapper json;
    private final Tokenizer tokenizer;
    private final ModelCatalog catalog;

    public RequestParser(ObjectMapper json, Tokenizer tokenizer, ModelCatalog catalog) {
        this.json = json;
        this.tokenizer = tokenizer;
        this.catalog = catalog;
    }

    /** Parses a {@code /v1/completions} or {@code /v1/chat/completions} body. */
    public GenerationRequest parseGeneration(ApiKind kind, byte[] body) {
        ObjectNode root = parseObject(body);
        String model = requiredString(root, "model");
        String lora = catalog.loraFor(model);
        int[] prompt = kind == ApiKind.CHAT ? chatPrompt(root) : completionPrompt(root);

        Integer n = optionalInt(root, "n");
        if (n != null && n != 1) {
            throw ApiError.badRequest("Only n=1 is supported by this simulator, got n=" + n, "n").asException();
        }
        Integer maxTokens = kind == ApiKind.CHAT ? optionalInt(root, "max_completion_tokens") : null;
        String maxTokensParam = "max_completion_tokens";
        if (maxTokens == null) {
            maxTokens = optionalInt(root, "max_tokens");
            maxTokensParam = "max_tokens";
        }
        int maxModelLen = catalog.maxModelLen();
        String promptParam = kind == ApiKind.CHAT ? "messages" : "prompt";
        if (prompt.length >= maxModelLen) {
            throw ApiError.badRequest("This model's maximum context length is " + maxModelLen + " tokens. However, "
                    + "your request has " + prompt.length + " input tokens. Please reduce the length of the input.",
                    promptParam).asException();
        }
        if (maxTokens == null) {
            maxTokens = maxModelLen - prompt.length;
        } else if (maxTokens < 1) {
            throw ApiError.badRequest(maxTokensParam + " must be at least 1, got " + maxTokens + ".",
                    maxTokensParam).asException();
        } else if (prompt.length + maxTokens > maxModelLen) {
            throw ApiError.badRequest("This model's maximum context length is " + maxModelLen + " tokens. However, "
                    + "you requested " + (prompt.length + maxTokens) + " tokens (" + prompt.length + " in the "
                    + promptParam + ", " + maxTokens + " in the completion). Please reduce the length of the "
                    + promptParam + " or completion.", promptParam).asException();
        }
        Integer minTokens = optionalInt(root, "min_tokens");
        if (minTokens == null) {
            minTokens = 0;
        } else if (minTokens < 0 || minTokens > maxTokens) {
            throw ApiError.badRequest("min_tokens must be in [0, max_tokens=" + maxTokens + "], got " + minTokens,
                    "min_tokens").asException();
        }
        boolean ignoreEos = optionalBoolean(root, "ignore_eos", false);
        boolean stream = optionalBoolean(root, "stream", false);
        boolean includeUsage = false;
        JsonNode streamOptions = root.get("stream_options");
        if (streamOptions != null && !streamOptions.isNull()) {
            if (!streamOptions.isObject()) {
                throw wrongType("stream_options", "an object");
            }
            if (!stream) {
                throw ApiError.badRequest("Stream options can only be defined when `stream=True`.",
                        "stream_options").asException();
            }
            includeUsage = optionalBoolean((ObjectNode) streamOptions, "include_usage", false);
        }
        String cacheSalt = optionalString(root, "cache_salt");
        KvTransfer kvTransfer = kvTransfer(root.get("kv_transfer_params"));
        Integer priority = optionalInt(root, "priority");
        return new GenerationRequest(kind, model, lora, prompt, maxTokens, minTokens, ignoreEos, stream,
                includeUsage, cacheSalt, kvTransfer, priority == null ? 0 : priority);
    }

    /** Parses a {@code /tokenize} body: {@code {"model","prompt"}} or {@code {"model","messages"}}. */
    public int[] parseTokenize(byte[] body) {
        ObjectNode root = parseObject(body);
        String model = requiredString(root, "model");
        catalog.loraFor(model);
        if (root.has("messages")) {
            return chatPrompt(root);
        }
        JsonNode prompt = root.get("prompt");
        if (prompt == null || !prompt.isTextual()) {
            throw ApiError.badRequest("Either `prompt` (a string) or `messages` is required.", "prompt")
                    .asException();
        }
        return tokenizer.encode(prompt.asText());
    }

    private ObjectNode parseObject(byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JacksonException e) {
            throw ApiError.badRequest("Malformed JSON body: " + e.getOriginalMessage(), null).asException();
        } catch (IOException e) {
            throw ApiError.badRequest("Unreadable body: " + e.getMessage(), null).asException();
        }
        if (root == null || !root.isObject()) {
            throw ApiError.badRequest("The request body must be a JSON object.", null).asException();
        }
        return (ObjectNode) root;
    }

    private int[] completionPrompt(ObjectNode root) {
        JsonNode prompt = root.get("prompt");
        if (prompt == null || prompt.isNull()) {
            throw ApiError.badRequest("Field `prompt` is required.", "prompt").asException();
        }
        if (prompt.isTextual()) {
            return nonEmpty(tokenizer.encode(prompt.asText()));
        }
        if (!prompt.isArray() || prompt.isEmpty()) {
            throw wrongType("prompt", "a string, a list of strings or a list of token ids");
        }
        ArrayNode list = (ArrayNode) prompt;
        JsonNode first = list.get(0);
        if (first.isTextual() || first.isArray()) {
            if (list.size() != 1) {
                throw ApiError.badRequest("This simulator answers one prompt per request; got " + list.size()
                        + " prompts.", "prompt").asException();
            }
            return first.isTextual() ? nonEmpty(tokenizer.encode(first.asText())) : tokenIds((ArrayNode) first);
        }
        return tokenIds(list);
    }

    private static int[] tokenIds(ArrayNode list) {
        if (list.isEmpty()) {
            throw ApiError.badRequest("The prompt must not be empty.", "prompt").asException();
        }
        int[] ids = new int[list.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = list.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
                throw wrongType("prompt", "a list of non-negative integer token ids");
            }
            ids[i] = id.intValue();
        }
        return ids;
    }

    private static int[] nonEmpty(int[] ids) {
        if (ids.length == 0) {
            throw ApiError.badRequest("The prompt must not be empty.", "prompt").asException();
        }
        return ids;
    }

    private int[] chatPrompt(ObjectNode root) {
        JsonNode messages = root.get("messages");
        if (messages == null || messages.isNull()) {
            throw ApiError.badRequest("Field `messages` is required.", "messages").asException();
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw wrongType("messages", "a non-empty list of messages");
        }
        List<ChatTemplate.Message> parsed = new ArrayList<>(messages.size());
        for (JsonNode message : messages) {
            if (!message.isObject()) {
                throw wrongType("messages", "a list of objects with `role` and `content`");
            }
            JsonNode role = message.get("role");
            if (role == null || !role.isTextual() || role.asText().isEmpty()) {
                throw ApiError.badRequest("Every message needs a `role` string.", "messages").asException();
            }
            parsed.add(new ChatTemplate.Message(role.asText(), contentText(message.get("content"))));
        }
        boolean continueFinal = optionalBoolean(root, "continue_final_message", false);
        boolean generationPrompt = optionalBoolean(root, "add_generation_prompt", true);
        if (continueFinal && generationPrompt) {
            // vLLM rejects the pair when both are sent; left at its default, the generation prompt makes the chat
            // template (transformers' apply_chat_template) refuse the same way
            throw ApiError.badRequest("Cannot set both `continue_final_message` and `add_generation_prompt` to "
                    + "True.", "continue_final_message").asException();
        }
        return tokenizer.encode(ChatTemplate.render(parsed, generationPrompt, continueFinal));
    }

    /** Message content: a string, null (e.g. assistant tool calls), or a list of parts whose text parts count. */
    private static String contentText(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            throw wrongType("messages", "messages whose `content` is a string or a list of parts");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            JsonNode type = part.get("type");
            if (type == null || !type.isTextual()) {
                throw wrongType("messages", "content parts with a `type`");
            }
            if ("text".equals(type.asText())) {
                JsonNode partText = part.get("text");
                if (partText == null || !partText.isTextual()) {
                    throw wrongType("messages", "text parts with a `text` string");
                }
                if (!text.isEmpty()) {
                    text.append('\n');
                }
                text.append(partText.asText());
            }
        }
        return text.toString();
    }

    private KvTransfer kvTransfer(JsonNode params) {
        if (params == null || params.isNull()) {
            return KvTransfer.NONE;
        }
        if (!params.isObject()) {
            throw wrongType("kv_transfer_params", "an object");
        }
        ObjectNode object = (ObjectNode) params;
        boolean remoteDecode = optionalBoolean(object, "do_remote_decode", false);
        boolean remotePrefill = optionalBoolean(object, "do_remote_prefill", false);
        if (remoteDecode && remotePrefill) {
            throw ApiError.badRequest("kv_transfer_params cannot set both do_remote_decode and do_remote_prefill.",
                    "kv_transfer_params").asException();
        }
        if (remoteDecode) {
            return new KvTransfer.PrefillForRemoteDecode();
        }
        if (!remotePrefill) {
            return KvTransfer.NONE;
        }
        JsonNode blockIds = object.get("remote_block_ids");
        List<Integer> blocks = new ArrayList<>();
        if (blockIds != null && !blockIds.isNull()) {
            if (!blockIds.isArray()) {
                throw wrongType("kv_transfer_params", "remote_block_ids as a list of integers");
            }
            for (JsonNode id : blockIds) {
                if (!id.canConvertToInt()) {
                    throw wrongType("kv_transfer_params", "remote_block_ids as a list of integers");
                }
                blocks.add(id.intValue());
            }
        }
        Integer port = optionalInt(object, "remote_port");
        Integer tpSize = optionalInt(object, "tp_size");
        return new KvTransfer.DecodeAfterRemotePrefill(new KvTransfer.RemotePrefillParams(
                optionalString(object, "remote_engine_id"), optionalString(object, "remote_request_id"),
                List.copyOf(blocks), optionalString(object, "remote_host"), port == null ? 0 : port,
                tpSize == null ? 1 : tpSize));
    }

    private static String requiredString(ObjectNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            throw ApiError.badRequest("Field `" + field + "` is required.", field).asException();
        }
        if (!value.isTextual()) {
            throw wrongType(field, "a string");
        }
        return value.asText();
    }

    private static String optionalString(ObjectNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw wrongType(field, "a string");
        }
        return value.asText();
    }

    private static Integer optionalInt(ObjectNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw wrongType(field, "an integer");
        }
        return value.intValue();
    }

    private static boolean optionalBoolean(ObjectNode root, String field, boolean absent) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return absent;
        }
        if (!value.isBoolean()) {
            throw wrongType(field, "a boolean");
        }
        return value.booleanValue();
    }

    private static ApiError.Exception wrongType(String field, String expected) {
        return ApiError.badRequest("Field `" + field + "` must be " + expected + ".", field).asException();
    }
}
