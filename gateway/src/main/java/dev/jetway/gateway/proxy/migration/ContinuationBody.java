package dev.jetway.gateway.proxy.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jetway.gateway.request.ApiKind;
import java.io.IOException;
import java.util.List;

/**
 * The request that asks another endpoint for the rest of a stream: the client's own body with the text already
 * streamed added to the prompt, and the token limits reduced by the tokens already sent.
 *
 * <ul>
 *   <li><b>{@code /v1/completions}</b>: {@code prompt} becomes the prompt followed by the text.</li>
 *   <li><b>{@code /v1/chat/completions}</b>: an assistant message with the text is appended (or, when the client
 *       itself continued its last assistant message, the text is added to it), with vLLM's
 *       {@code continue_final_message: true} and {@code add_generation_prompt: false}, so the model continues that
 *       message instead of starting a new one.</li>
 *   <li>{@code max_tokens} / {@code max_completion_tokens} minus the tokens sent; {@code min_tokens} likewise;
 *       {@code prompt_logprobs} dropped (the first leg delivered them for the client's prompt).</li>
 * </ul>
 *
 * <p>Requests it will not continue, because the rest could not be the same kind of answer: {@code n} or
 * {@code best_of} above 1; completions with {@code echo}, {@code logprobs} (their {@code text_offset}s would count
 * from the new prompt) or a prompt of token ids or several prompts; structured output ({@code response_format} other
 * than text, {@code guided_*}, {@code structured_outputs}: the grammar would start over on the partial answer); a
 * client-continued assistant message whose content is a list of parts.
 */
final class ContinuationBody {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> STRUCTURED = List.of("guided_json", "guided_regex", "guided_choice",
            "guided_grammar", "structured_outputs");

    private ContinuationBody() {
    }

    /** The client's request as far as continuing it is concerned. */
    record Original(ObjectNode root, ApiKind kind, String maxField, int maxTokens, boolean includeUsage) {

        /** Reads the client's body (already validated by the gateway's parser). */
        static Original parse(ApiKind kind, byte[] body) throws IOException {
            JsonNode parsed = JSON.readTree(body);
            if (!(parsed instanceof ObjectNode root)) {
                throw new IOException("the request body is not a JSON object");
            }
            String maxField = null;
            if (kind == ApiKind.CHAT_COMPLETIONS && root.hasNonNull("max_completion_tokens")) {
                maxField = "max_completion_tokens";
            } else if (root.hasNonNull("max_tokens")) {
                maxField = "max_tokens";
            }
            int max = maxField == null ? -1 : root.get(maxField).asInt(-1);
            JsonNode options = root.get("stream_options");
            boolean usage = options != null && options.path("include_usage").asBoolean(false);
            return new Original(root, kind, maxField, max, usage);
        }

        /** Why this request cannot be continued on another endpoint, or null. */
        String notContinuable() {
            if (root.path("n").asInt(1) > 1 || root.path("best_of").asInt(1) > 1) {
                return "several choices (n > 1)";
            }
            JsonNode format = root.get("response_format");
            if (format != null && !format.isNull() && !"text".equals(format.path("type").asText("text"))) {
                return "structured output (response_format)";
            }
            for (String field : STRUCTURED) {
                if (root.hasNonNull(field)) {
                    return "structured output (" + field + ")";
                }
            }
            if (kind == ApiKind.COMPLETIONS) {
                if (root.path("echo").asBoolean(false)) {
                    return "echo";
                }
                if (root.hasNonNull("logprobs")) {
                    return "completion logprobs (their text offsets would count from the new prompt)";
                }
                JsonNode prompt = root.get("prompt");
                boolean text = prompt != null && (prompt.isTextual()
                        || (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()));
                if (!text) {
                    return "a prompt of token ids or several prompts";
                }
            }
            return null;
        }
    }

    /**
     * The body that asks for the rest after {@code text} ({@code sent} tokens) went out, {@code remaining} tokens at
     * most (-1: the client set no limit); null when the client's last assistant message cannot take the text.
     */
    static byte[] build(Original original, String text, int sent, int remaining) {
        ObjectNode root = original.root().deepCopy();
        if (original.maxField() != null) {
            root.put(original.maxField(), remaining);
        }
        JsonNode min = root.get("min_tokens");
        if (min != null && min.isIntegralNumber()) {
            root.put("min_tokens", Math.max(0, min.asInt() - sent));
        }
        root.remove("prompt_logprobs");
        if (!text.isEmpty()) {
            if (original.kind() == ApiKind.COMPLETIONS) {
                JsonNode prompt = root.get("prompt");
                String continued = (prompt.isArray() ? prompt.get(0).asText() : prompt.asText()) + text;
                if (prompt.isArray()) {
                    root.putArray("prompt").add(continued);
                } else {
                    root.put("prompt", continued);
                }
            } else if (!continueAssistant(root, text)) {
                return null;
            }
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }

    private static boolean continueAssistant(ObjectNode root, String text) {
        ArrayNode messages = (ArrayNode) root.get("messages");
        JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
        if (root.path("continue_final_message").asBoolean(false) && last instanceof ObjectNode open
                && "assistant".equals(last.path("role").asText())) {
            JsonNode content = open.get("content");
            if (content != null && !content.isNull() && !content.isTextual()) {
                return false;
            }
            open.put("content", (content == null || content.isNull() ? "" : content.asText()) + text);
        } else {
            messages.addObject().put("role", "assistant").put("content", text);
        }
        root.put("continue_final_message", true);
        root.put("add_generation_prompt", false);
        return true;
    }
}
