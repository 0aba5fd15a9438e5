package dev.jetway.gateway.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.jetway.gateway.request.ApiKind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The text a model reads in an OpenAI request body, found and rewritten in one place: every completion prompt (a
 * string or each string of a list; token-id prompts carry no text), and every chat message's content (a string, or
 * each {@code text} part of a list of parts). Unlike routing, which reads the first prompt only, guardrails look at
 * all of them: a batch must not smuggle text past a rule.
 */
public final class PromptTexts {

    /** A chat message's role and its text (parts joined). */
    public record Message(String role, String content) {
    }

    private PromptTexts() {
    }

    /** Every prompt text of the body, in order. */
    public static List<String> texts(JsonNode body, ApiKind kind) {
        List<String> out = new ArrayList<>();
        rewrite(body, kind, text -> {
            out.add(text);
            return text;
        });
        return out;
    }

    /**
     * Replaces every prompt text {@code t} of the body by {@code rewrite.apply(t)} in place; true when one changed
     * (the operator returned another string).
     */
    public static boolean rewrite(JsonNode body, ApiKind kind, UnaryOperator<String> rewrite) {
        boolean changed = false;
        if (kind == ApiKind.COMPLETIONS) {
            JsonNode prompt = body.path("prompt");
            if (prompt.isTextual()) {
                changed = replace((ObjectNode) body, "prompt", prompt, rewrite);
            } else if (prompt.isArray()) {
                changed = rewriteArray((ArrayNode) prompt, rewrite);
            }
            return changed;
        }
        for (JsonNode message : body.path("messages")) {
            JsonNode content = message.path("content");
            if (content.isTextual() && message instanceof ObjectNode m) {
                changed |= replace(m, "content", content, rewrite);
            } else if (content.isArray()) {
                for (JsonNode part : content) {
                    JsonNode text = part.path("text");
                    if (text.isTextual() && part instanceof ObjectNode p
                            && (!part.has("type") || "text".equals(part.path("type").asText()))) {
                        changed |= replace(p, "text", text, rewrite);
                    }
                }
            }
        }
        return changed;
    }

    /** The chat messages with their text (roles as sent; a message without text has ""). */
    public static List<Message> messages(JsonNode body) {
        List<Message> out = new ArrayList<>();
        for (JsonNode message : body.path("messages")) {
            JsonNode content = message.path("content");
            String text;
            if (content.isTextual()) {
                text = content.asText();
            } else if (content.isArray()) {
                StringBuilder sb = new StringBuilder();
                for (JsonNode part : content) {
                    if (part.path("text").isTextual()) {
                        if (!sb.isEmpty()) {
                            sb.append('\n');
                        }
                        sb.append(part.get("text").asText());
                    }
                }
                text = sb.toString();
            } else {
                text = "";
            }
            out.add(new Message(message.path("role").asText(""), text));
        }
        return out;
    }

    /** Token ids sent as the prompt (every list of a batch), or 0. */
    public static long promptTokenIds(JsonNode body) {
        JsonNode prompt = body.path("prompt");
        if (!prompt.isArray() || prompt.isEmpty()) {
            return 0;
        }
        if (prompt.get(0).isNumber()) {
            return prompt.size();
        }
        long n = 0;
        for (JsonNode p : prompt) {
            if (p.isArray()) {
                n += p.size();
            }
        }
        return n;
    }

    private static boolean rewriteArray(ArrayNode array, UnaryOperator<String> rewrite) {
        boolean changed = false;
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            if (item.isTextual()) {
                String before = item.asText();
                String after = rewrite.apply(before);
                if (!after.equals(before)) {
                    array.set(i, TextNode.valueOf(after));
                    changed = true;
                }
            }
        }
        return changed;
    }

    private static boolean replace(ObjectNode parent, String field, JsonNode node, UnaryOperator<String> rewrite) {
        String before = node.asText();
        String after = rewrite.apply(before);
        if (after.equals(before)) {
            return false;
        }
        parent.set(field, TextNode.valueOf(after));
        return true;
    }
}
