package dev.jetway.gateway.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How each engine's {@code POST /tokenize} is asked and answers; the shapes differ:
 * <ul>
 *   <li>vLLM (and {@code jetway sim}): {@code {"model","prompt"}} or, for chats, {@code {"model","messages",
 *       "add_generation_prompt"}} (the server applies its chat template) → {@code {"tokens":[ids],...}}.</li>
 *   <li>SGLang: {@code {"model","prompt","add_special_tokens"}} → {@code {"tokens":[ids],"count",...}}; text only.</li>
 *   <li>llama.cpp: {@code {"content","add_special","parse_special"}} → {@code {"tokens":[ids]}}. It adds no BOS
 *       unless asked, while its completions do: Jetway asks for it, so the ids are the ones the server caches. Chats
 *       go through its {@code POST /apply-template} first.</li>
 *   <li>TGI: {@code {"inputs"}} → {@code [{"id","text","start","stop"},...]}; text only.</li>
 * </ul>
 */
public enum TokenizeApi {

    VLLM {
        @Override
        ObjectNode textBody(String model, String text) {
            return withModel(model).put("prompt", text);
        }
    },
    SGLANG {
        @Override
        ObjectNode textBody(String model, String text) {
            return withModel(model).put("prompt", text).put("add_special_tokens", true);
        }
    },
    LLAMA_CPP {
        @Override
        ObjectNode textBody(String model, String text) {
            return JSON.createObjectNode().put("content", text).put("add_special", true).put("parse_special", true);
        }
    },
    TGI {
        @Override
        ObjectNode textBody(String model, String text) {
            return JSON.createObjectNode().put("inputs", text);
        }
    };

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The body that tokenizes plain text. */
    abstract ObjectNode textBody(String model, String text);

    /** The token ids of an answer, or null when it has none. */
    int[] ids(JsonNode answer) {
        JsonNode tokens = answer.isArray() ? answer : answer.get("tokens");
        if (tokens == null || !tokens.isArray()) {
            return null;
        }
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = tokens.get(i);
            ids[i] = t.isObject() ? t.path("id").asInt() : t.asInt();
        }
        return ids;
    }

    /** The API of the pool's {@code engine}; null when the engine has no tokenize endpoint. */
    public static TokenizeApi forEngine(String engine) {
        return switch (engine) {
            case "vllm", "auto" -> VLLM;
            case "sglang" -> SGLANG;
            case "llama.cpp" -> LLAMA_CPP;
            case "tgi" -> TGI;
            default -> null;
        };
    }

    private static ObjectNode withModel(String model) {
        ObjectNode body = JSON.createObjectNode();
        if (model != null) {
            body.put("model", model);
        }
        return body;
    }
}
